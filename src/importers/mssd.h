// Imports Music Streaming Sessions Dataset (MSSD) session logs (log_*.csv) into Segue events (mapping and
// the synthetic parts: docs/data.md).
//
// Columns are found by header name (order free, extra columns ignored). Both the canonical layout
// (`true`/`false`, dates `YYYY-MM-DD`) and the reformatted public sample (`True`/`False`, `DD-MM-YY`)
// are accepted; booleans are also accepted as 0/1.
// MSSD has no listener ids and no exact times, so: user_id = "mssd:" + session_id; a session starts at
// `date` + `hour_of_day`, and the track at session_position p plays at start + (p - 1) × kMssdSlotMs.
// How long it played is estimated from skip_1/2/3 (kMssdDwell*). Rows are streamed: memory does not
// grow with the file. Rows of a session are expected in file order (as MSSD ships them); the events of
// each row are written in time order.
// Errors (kInvalidArgument) name the file, line and column: missing required column, a value that does
// not parse, a row with the wrong number of fields.
// Thread-safety: none needed (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "importers/event_sink.h"
#include "importers/import_summary.h"

namespace segue {

// The time slot of one session position: an assumed typical track length (tf_mini durations are not
// available here), a round 3 minutes so a 20-track session spans one hour.
inline constexpr int64_t kMssdSlotMs = 180000;
// Estimated dwell by skip level (skip_1 "very briefly", skip_2 "briefly", skip_3 "most of the track").
inline constexpr int64_t kMssdDwellSkip1Ms = 10000;
inline constexpr int64_t kMssdDwellSkip2Ms = 30000;
inline constexpr int64_t kMssdDwellSkip3Ms = 120000;
inline constexpr int64_t kMssdDwellFullMs = kMssdSlotMs - 2000;
// A pause before play is placed this long before the play.
inline constexpr int64_t kMssdPauseLeadMs = 1000;

struct MssdOptions {
  bool progress = false;
};

Status ImportMssd(const std::vector<std::string>& files, const MssdOptions& options, const EventSink& sink,
                  ImportSummary* summary);

}  // namespace segue
