#include "experiments/assignment.h"

#include <gtest/gtest.h>

#include "tests/log/test_util.h"

#include <string>
#include <vector>

namespace segue::experiments {
namespace {

ExperimentSpec Spec(std::string id, std::vector<uint32_t> weights) {
  ExperimentSpec spec;
  spec.id = std::move(id);
  for (size_t i = 0; i < weights.size(); ++i) {
    spec.arms.push_back({testing::Id("arm", i), i == 0 ? ArmKind::kShadow : ArmKind::kTreatment, weights[i], 0, ""});
  }
  return spec;
}

// Golden values, also computed by an independent Python transcription of the function (FNV-1a 64, then
// fmix64): a listener's arm is part of the contract (it must not change across restarts and versions).
// If this test fails, the assignment function changed: restore it.
TEST(AssignmentTest, GoldenHashesAndArms) {
  EXPECT_EQ(AssignmentHash("push-v1", "u1"), 0x7fc18a108da743c0ULL);
  EXPECT_EQ(AssignmentHash("push-v1", "u2"), 0x614aaf10e8511d0fULL);
  EXPECT_EQ(AssignmentHash("other", "u1"), 0xb58834149e8f509fULL);
  const ExperimentSpec spec = Spec("push-v1", {1, 1});
  std::string arms;
  for (int i = 0; i < 16; ++i) arms += std::to_string(AssignArm(spec, testing::Id("u", i)));
  EXPECT_EQ(arms, "1011011101111111");
}

TEST(AssignmentTest, SameInputsSameArmAndExperimentsAreIndependent) {
  const ExperimentSpec a = Spec("a", {1, 1}), b = Spec("b", {1, 1});
  int same = 0;
  for (int i = 0; i < 10'000; ++i) {
    const std::string user = testing::Id("listener-", i);
    EXPECT_EQ(AssignArm(a, user), AssignArm(a, user));
    same += AssignArm(a, user) == AssignArm(b, user);
  }
  // Independent fair coins agree half the time: 5000 ± 3σ (σ = 50).
  EXPECT_NEAR(same, 5000, 150);
}

// Pearson's chi-square over 100k sequential ids against the weights' shares, below the 0.1 % critical
// value of its degrees of freedom.
double ChiSquare(const ExperimentSpec& spec, int ids) {
  std::vector<double> counts(spec.arms.size());
  uint64_t total = 0;
  for (const ArmSpec& a : spec.arms) total += a.weight;
  for (int i = 0; i < ids; ++i) counts[AssignArm(spec, testing::Id("user", i))] += 1;
  double chi = 0;
  for (size_t a = 0; a < counts.size(); ++a) {
    const double expected = static_cast<double>(ids) * spec.arms[a].weight / static_cast<double>(total);
    chi += (counts[a] - expected) * (counts[a] - expected) / expected;
  }
  return chi;
}

TEST(AssignmentTest, BalancedByWeightOver100kIds) {
  EXPECT_LT(ChiSquare(Spec("balance-2", {1, 1}), 100'000), 10.83);        // df 1
  EXPECT_LT(ChiSquare(Spec("balance-3", {1, 2, 7}), 100'000), 13.82);     // df 2
  EXPECT_LT(ChiSquare(Spec("balance-5", {5, 5, 5, 5, 80}), 100'000), 18.47);  // df 4
}

TEST(AssignmentTest, ZeroWeightArmGetsNobody) {
  const ExperimentSpec spec = Spec("drain", {1, 0, 1});
  for (int i = 0; i < 5000; ++i) EXPECT_NE(AssignArm(spec, testing::Id("u", i)), 1u);
}

}  // namespace
}  // namespace segue::experiments
