// Impression: one list of recommendations that was shown (a response to GET …/recommendations) or
// pushed. The feedback collector of the next stage joins later events to it through rec_id, so it keeps
// what was shown exactly: track ids as strings (interned ids are process-local), their scores, the
// models behind them and which path served them. Plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace segue::impressions {

struct Impression {
  std::string rec_id;
  std::string user_id;
  int64_t ts_ms = 0;                   // wall clock when it was served
  std::string source;                  // "model", "cache", "fallback:<why>"
  std::vector<std::string> track_ids;  // in the order shown
  std::vector<float> scores;           // one per track
  std::vector<std::pair<std::string, std::string>> model_versions;  // component -> version
  std::optional<float> trigger_score;  // the disengagement score that triggered a push; none for pulls
  // The listener's event-time clock when it was made: the trigger event's ts for a push, the listener's
  // latest applied event's ts for a pull (wall clock when they have none). Attribution windows run on
  // it (feedback/attribution.h), so a simulated, accelerated clock works.
  int64_t event_ts_ms = 0;
};

// One JSON object: {"rec_id","user_id","ts" (RFC 3339),"event_ts" (RFC 3339),"source","items":[{"track_id","score"}],
// "model_versions":{...},"trigger_score"} (trigger_score null for pulls).
std::string ImpressionToJson(const Impression& impression);
// The inverse, for impressions handed between nodes (nodes/impression_stream.h); kCorruption when the text
// is not such an object. Scores and trigger_score round-trip through JSON numbers (float precision).
Result<Impression> ImpressionFromJson(std::string_view json);

}  // namespace segue::impressions
