// Test helpers: hand-made listener events and sessions for the retrieval tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/event.h"
#include "session/session_state.h"

namespace segue::recommend::testing {

inline Event Ev(const std::string& user, EventType type, int64_t ts_ms, const std::string& track = "",
                int64_t position_ms = -1) {
  static int serial = 0;
  Event e;
  e.event_id = user + "-" + std::to_string(++serial);
  e.user_id = user;
  e.type = type;
  e.ts_ms = ts_ms;
  e.track_id = track;
  e.position_ms = position_ms;
  return e;
}

// `track` played from `start_ms` for `listened_ms`, then completed or skipped.
inline void Listen(std::vector<Event>* out, const std::string& user, const std::string& track, int64_t start_ms,
                   int64_t listened_ms, bool complete) {
  out->push_back(Ev(user, EventType::kPlay, start_ms, track, 0));
  out->push_back(Ev(user, complete ? EventType::kComplete : EventType::kSkip, start_ms + listened_ms, track, listened_ms));
}

// A session of completed plays of `tracks` (interned ids), oldest first.
inline SessionState SessionOf(const std::vector<uint32_t>& tracks, int64_t start_ms = 0) {
  SessionState s;
  s.start_ms = start_ms;
  for (size_t i = 0; i < tracks.size(); ++i) {
    PlayRecord p;
    p.track = tracks[i];
    p.start_offset_ms = static_cast<uint32_t>(i * 200'000);
    p.dwell_ms = 200'000;
    p.end = PlayEnd::kCompleted;
    s.plays.push_back(p);
  }
  return s;
}

}  // namespace segue::recommend::testing
