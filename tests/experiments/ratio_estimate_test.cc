#include "experiments/ratio_estimate.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "experiments/experiment_report.h"

namespace segue::experiments {
namespace {

// Hand computation for listeners (x, y) = (2, 1), (4, 3), (1, 0):
//   R = 4/7 = 0.571429; residuals y - R x = -1/7, 5/7, -4/7, squares sum 42/49 = 6/7;
//   n = 3, x̄ = 7/3: Var = (6/7) / (3·2·(7/3)²) = 9/343 = 0.0262391, SE = 3/√343 = 0.161985;
//   CI = 0.571429 ± 1.959964·0.161985 = 0.571429 ± 0.317484 = [0.253944, 0.888913].
TEST(RatioEstimateTest, DeltaMethodMatchesHandComputation) {
  RatioSums s;
  s.Add(2, 1);
  s.Add(4, 3);
  s.Add(1, 0);
  s.Add(0, 0);  // a listener without the denominator is not a unit of this ratio
  const Estimate e = EstimateRatio(s);
  EXPECT_EQ(e.n, 3u);
  ASSERT_TRUE(e.value && e.ci95);
  EXPECT_NEAR(*e.value, 0.571429, 1e-6);
  EXPECT_NEAR(e.variance, 0.0262391, 1e-7);
  EXPECT_NEAR(e.ci95->first, 0.253944, 1e-6);
  EXPECT_NEAR(e.ci95->second, 0.888913, 1e-6);
}

// Baseline (1, 1), (1, 0): R = 0.5, residuals ±0.5, Var = 0.5 / (2·1·1²) = 0.25.
// d = 0.571429 - 0.5 = 0.071429; Var(d) = 0.0262391 + 0.25 = 0.2762391, SE = 0.525585;
// CI = 0.071429 ± 1.030127 = [-0.958698, 1.101555].
TEST(RatioEstimateTest, DifferenceAddsVariances) {
  RatioSums arm, base;
  arm.Add(2, 1);
  arm.Add(4, 3);
  arm.Add(1, 0);
  base.Add(1, 1);
  base.Add(1, 0);
  const Difference d = DifferenceOf(EstimateRatio(arm), EstimateRatio(base));
  ASSERT_TRUE(d.value && d.ci95);
  EXPECT_NEAR(*d.value, 0.071429, 1e-6);
  EXPECT_NEAR(d.ci95->first, -0.958698, 1e-6);
  EXPECT_NEAR(d.ci95->second, 1.101555, 1e-6);
}

TEST(RatioEstimateTest, NoValueWithoutUnitsNoIntervalWithOne) {
  EXPECT_FALSE(EstimateRatio(RatioSums{}).value);
  RatioSums one;
  one.Add(3, 1);
  const Estimate e = EstimateRatio(one);
  ASSERT_TRUE(e.value);
  EXPECT_NEAR(*e.value, 1.0 / 3, 1e-12);
  EXPECT_FALSE(e.ci95);
  EXPECT_FALSE(DifferenceOf(e, e).ci95);
}

// The same numbers through the report: skip rate (x = plays, y = skips) per arm, shadow as baseline.
TEST(ExperimentReportTest, ArmsAndDifferenceFromListenerStats) {
  ExperimentSpec spec;
  spec.id = "exp";
  spec.arms = {{"control", ArmKind::kShadow, 1, 0, ""}, {"push", ArmKind::kTreatment, 1, 0, ""}};
  ListenerStatsMap listeners;
  auto add = [&](const std::string& user, uint32_t arm, uint32_t plays, uint32_t skips) {
    ListenerStats s;
    s.arm = arm;
    s.plays = plays;
    s.skips = skips;
    s.sessions = 1;
    listeners[user] = s;
  };
  add("t1", 1, 2, 1);
  add("t2", 1, 4, 3);
  add("t3", 1, 1, 0);
  add("t4", 1, 0, 0);
  add("c1", 0, 1, 1);
  add("c2", 0, 1, 0);
  const ExperimentReport report = BuildReport(spec, listeners);
  ASSERT_EQ(report.arms.size(), 2u);
  EXPECT_EQ(report.arms[1].listeners, 4u);
  EXPECT_EQ(report.arms[1].sessions, 4u);
  const Estimate& skip = report.arms[1].metrics[static_cast<int>(Metric::kSkipRate)];
  EXPECT_EQ(skip.n, 3u);
  EXPECT_NEAR(skip.ci95->first, 0.253944, 1e-6);
  ASSERT_EQ(report.differences.size(), 1u);
  EXPECT_EQ(report.differences[0].arm, "push");
  EXPECT_EQ(report.differences[0].baseline, "control");
  EXPECT_NEAR(report.differences[0].metrics[static_cast<int>(Metric::kSkipRate)].ci95->second, 1.101555, 1e-6);

  const nlohmann::json j = nlohmann::json::parse(ReportToJson(report, 0));
  EXPECT_EQ(j["experiment"], "exp");
  EXPECT_EQ(j["generated_at"], "1970-01-01T00:00:00.000Z");
  EXPECT_NEAR(j["arms"][1]["metrics"]["skip_rate"]["value"].get<double>(), 0.571429, 1e-6);
  EXPECT_EQ(j["arms"][1]["metrics"]["skip_rate"]["n"], 3);
  EXPECT_TRUE(j["arms"][0]["metrics"]["click_through"]["value"].is_null());
  EXPECT_TRUE(j["differences"][0]["metrics"]["skip_rate"]["ci95"].is_array());
}

}  // namespace
}  // namespace segue::experiments
