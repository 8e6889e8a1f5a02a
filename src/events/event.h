// The listener event: the one record type that flows through the whole pipeline (ingest → log →
// session tracker → features → models). The JSON wire schema is documented in docs/api.md; parsing and
// validation live in event_parser.h, the compact binary form stored in the log in event_codec.h.
// Plain value types; no synchronisation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace segue {

// Numeric values are stored in the log: append only, never renumber.
enum class EventType : uint8_t {
  kPlay = 0,
  kPause = 1,
  kResume = 2,
  kSeek = 3,
  kSkip = 4,
  kComplete = 5,
  kSearch = 6,
  kExit = 7,
  kLike = 8,
  kDislike = 9,
};
inline constexpr int kEventTypeCount = 10;

// "play", "pause", ... ; the names used on the wire.
std::string_view EventTypeName(EventType type);
std::optional<EventType> EventTypeFromName(std::string_view name);
// play, skip, complete, seek, like and dislike must name a track.
bool EventTypeNeedsTrack(EventType type);

struct EventContext {
  std::string device;
  std::string source;           // playlist, album, radio, search, recommendation, ...
  std::optional<bool> shuffle;  // absent when the client did not say
  std::string rec_id;           // set when the play came from one of our recommendations

  bool operator==(const EventContext&) const = default;
};

struct Event {
  std::string event_id;  // client-unique; the de-duplication key
  std::string user_id;
  EventType type = EventType::kPlay;
  int64_t ts_ms = 0;             // when it happened, epoch ms UTC
  std::string track_id;          // empty when the type does not need one and none was given
  int64_t position_ms = -1;      // playback position when it happened; -1 = not given
  EventContext context;
  std::string query;             // search text (search events)

  bool operator==(const Event&) const = default;
};

// An event as stored in the log: where it sits and when it was accepted.
struct LoggedEvent {
  uint32_t partition = 0;
  uint64_t seq = 0;       // global, strictly increasing across the whole log; gapped within a partition
  int64_t ingest_ms = 0;  // server wall clock when it was accepted
  Event event;

  bool operator==(const LoggedEvent&) const = default;
};

}  // namespace segue
