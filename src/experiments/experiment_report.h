// ExperimentReport: an experiment's arms side by side (GET /v1/experiments/{id}/report; docs/api.md).
// Per arm: listeners (with any counted activity), sessions, and every metric of listener_stats.h as a
// ratio estimate with its 95 % interval (ratio_estimate.h, the listener as the unit); per non-shadow
// arm: its difference from the shadow arm with the interval of the difference (none without a shadow
// arm). JSON: {"experiment","generated_at","horizon_ms","arms":[{"name","kind","listeners","sessions",
// "metrics":{"<metric>":{"value","ci95":[lo,hi],"n"}}}],"differences":[{"arm","baseline","metrics":
// {"<metric>":{"value","ci95"}}}]}, null where there is no value or interval.
// Plain values; reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "experiments/experiment_spec.h"
#include "experiments/listener_stats.h"
#include "experiments/ratio_estimate.h"

namespace segue::experiments {

struct ArmReport {
  std::string name;
  ArmKind kind = ArmKind::kTreatment;
  uint64_t listeners = 0;
  uint64_t sessions = 0;
  std::array<Estimate, kMetricCount> metrics;
};

struct ArmDifference {
  std::string arm;
  std::string baseline;
  std::array<Difference, kMetricCount> metrics;
};

struct ExperimentReport {
  std::string id;
  int64_t horizon_ms = 0;
  std::vector<ArmReport> arms;
  std::vector<ArmDifference> differences;
};

using ListenerStatsMap = std::unordered_map<std::string, ListenerStats>;

ExperimentReport BuildReport(const ExperimentSpec& spec, const ListenerStatsMap& listeners);
std::string ReportToJson(const ExperimentReport& report, int64_t generated_at_ms);

}  // namespace segue::experiments
