// Shared helpers for the importer tests: collect events and tracks, count them, and run them through the
// server's own validators (ParseEventBatch, ParseTrackBatch) exactly as `POST /v1/events` and
// `POST /v1/tracks` would receive the NDJSON.
#pragma once

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/track_json.h"
#include "common/time_util.h"
#include "events/event_json.h"
#include "events/event_parser.h"
#include "importers/event_sink.h"

namespace segue::testing {

inline std::string Fixture(const std::string& rel) { return std::string(SEGUE_FIXTURES) + "/importers/" + rel; }
inline std::string Shared(const std::string& rel) { return std::string(SEGUE_SHARED_DATA) + "/" + rel; }
inline bool Exists(const std::string& path) { return std::ifstream(path).good(); }

struct Collected {
  std::vector<Event> events;
  EventSink Sink() {
    return [this](const Event& e) {
      events.push_back(e);
      return Status::Ok();
    };
  }
  std::map<std::string, int> ByType() const {
    std::map<std::string, int> out;
    for (const Event& e : events) ++out[std::string(EventTypeName(e.type))];
    return out;
  }
};

// Serialises to NDJSON, parses with the ingest validator, and checks every event is accepted unchanged.
inline void ExpectServerAccepts(const std::vector<Event>& events) {
  std::string body;
  for (const Event& e : events) {
    AppendEventJson(e, &body);
    body.push_back('\n');
  }
  ParseLimits limits;
  limits.max_events_per_batch = events.size() + 1;
  Result<ParsedBatch> parsed = ParseEventBatch(body, BodyFormat::kNdjson, limits, NowMs());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  for (const Rejection& r : parsed->rejected) {
    ADD_FAILURE() << "event " << r.index << " rejected: " << r.field << ": " << r.error;
    if (r.index < events.size()) ADD_FAILURE() << EventToJson(events[r.index]);
    break;
  }
  ASSERT_EQ(parsed->events.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(parsed->events[i], events[i]) << "event " << i << " does not round-trip: " << EventToJson(events[i]);
  }
}

struct CollectedTracks {
  std::vector<Track> tracks;
  TrackSink Sink() {
    return [this](const Track& t) {
      tracks.push_back(t);
      return Status::Ok();
    };
  }
};

inline const Track* FindTrack(const std::vector<Track>& tracks, const std::string& id) {
  for (const Track& t : tracks) {
    if (t.track_id == id) return &t;
  }
  return nullptr;
}

// Every track must pass the `POST /v1/tracks` parser and read back equal.
inline void ExpectServerAccepts(const std::vector<Track>& tracks) {
  std::string body;
  for (const Track& t : tracks) {
    AppendTrackJson(t, &body);
    body.push_back('\n');
  }
  TrackLimits limits;
  limits.max_tracks_per_batch = tracks.size() + 1;
  Result<ParsedTracks> parsed = ParseTrackBatch(body, BodyFormat::kNdjson, limits);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed->rejected.empty()) << parsed->rejected[0].field << ": " << parsed->rejected[0].error;
  ASSERT_EQ(parsed->tracks, tracks);
}

inline int64_t Ts(const char* rfc3339) { return *ParseRfc3339Ms(rfc3339); }

}  // namespace segue::testing
