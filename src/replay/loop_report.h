// The closed loop's reports (`segue demo`): a ClosedLoopReport as JSON and text, and the server's experiment
// report (GET /v1/experiments/{id}/report, docs/api.md) as text.
//
// ClosedLoopReportToJson: one JSON object (no newline), the report's figures, each arm with exit_rate and
// session_length_ms as {"value","ci95":[lo,hi],"n"} (value and ci95 null when undefined, as in the server's
// report) and the differences of every arm against the first (the shadow arm in the demo).
// Contract: ExperimentReportToText fails (kInvalidArgument) on text that is not a report object; otherwise
// one line per arm (listeners, sessions, then every metric as "value [lo, hi]" or "n/a" when null) and
// one per difference. Metrics named *_ms or *_ms_* print in minutes, rates as percentages. ClosedLoopReportToText
// prints arms, triggers and pushes, recommendation quality and latencies. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "replay/closed_loop.h"

namespace segue {

std::string ClosedLoopReportToJson(const ClosedLoopReport& report);
Result<std::string> ExperimentReportToText(std::string_view json);
std::string ClosedLoopReportToText(const ClosedLoopReport& report);

}  // namespace segue
