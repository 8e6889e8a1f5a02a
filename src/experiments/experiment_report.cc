#include "experiments/experiment_report.h"

#include <nlohmann/json.hpp>

#include "common/time_util.h"

namespace segue::experiments {
namespace {

using nlohmann::json;

json OptionalNumber(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json OptionalInterval(const std::optional<Interval>& ci) {
  return ci ? json::array({ci->first, ci->second}) : json(nullptr);
}

}  // namespace

ExperimentReport BuildReport(const ExperimentSpec& spec, const ListenerStatsMap& listeners) {
  ExperimentReport report;
  report.id = spec.id;
  report.horizon_ms = spec.horizon_ms;
  std::vector<std::array<RatioSums, kMetricCount>> sums(spec.arms.size());
  report.arms.resize(spec.arms.size());
  for (const auto& [user, s] : listeners) {
    if (s.arm >= spec.arms.size()) continue;
    ArmReport& arm = report.arms[s.arm];
    ++arm.listeners;
    arm.sessions += s.sessions;
    for (int m = 0; m < kMetricCount; ++m) {
      const auto [x, y] = MetricInputs(s, static_cast<Metric>(m));
      sums[s.arm][m].Add(x, y);
    }
  }
  for (size_t a = 0; a < spec.arms.size(); ++a) {
    report.arms[a].name = spec.arms[a].name;
    report.arms[a].kind = spec.arms[a].kind;
    for (int m = 0; m < kMetricCount; ++m) report.arms[a].metrics[m] = EstimateRatio(sums[a][m]);
  }
  const std::optional<size_t> shadow = ShadowArm(spec);
  if (!shadow) return report;
  for (size_t a = 0; a < spec.arms.size(); ++a) {
    if (a == *shadow) continue;
    ArmDifference d{spec.arms[a].name, spec.arms[*shadow].name, {}};
    for (int m = 0; m < kMetricCount; ++m) {
      d.metrics[m] = DifferenceOf(report.arms[a].metrics[m], report.arms[*shadow].metrics[m]);
    }
    report.differences.push_back(std::move(d));
  }
  return report;
}

std::string ReportToJson(const ExperimentReport& report, int64_t generated_at_ms) {
  json arms = json::array();
  for (const ArmReport& a : report.arms) {
    json metrics = json::object();
    for (int m = 0; m < kMetricCount; ++m) {
      const Estimate& e = a.metrics[m];
      metrics[std::string(MetricName(static_cast<Metric>(m)))] = {
          {"value", OptionalNumber(e.value)}, {"ci95", OptionalInterval(e.ci95)}, {"n", e.n}};
    }
    arms.push_back({{"name", a.name},
                    {"kind", ArmKindName(a.kind)},
                    {"listeners", a.listeners},
                    {"sessions", a.sessions},
                    {"metrics", std::move(metrics)}});
  }
  json differences = json::array();
  for (const ArmDifference& d : report.differences) {
    json metrics = json::object();
    for (int m = 0; m < kMetricCount; ++m) {
      metrics[std::string(MetricName(static_cast<Metric>(m)))] = {{"value", OptionalNumber(d.metrics[m].value)},
                                                                  {"ci95", OptionalInterval(d.metrics[m].ci95)}};
    }
    differences.push_back({{"arm", d.arm}, {"baseline", d.baseline}, {"metrics", std::move(metrics)}});
  }
  json out = {{"experiment", report.id},
              {"generated_at", FormatRfc3339Ms(generated_at_ms)},
              {"horizon_ms", report.horizon_ms},
              {"arms", std::move(arms)},
              {"differences", std::move(differences)}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace segue::experiments
