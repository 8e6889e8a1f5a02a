// The PSI arithmetic against hand-computed values, and the live window's bounds, eviction and reset.
#include "models/score_drift.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "models/score_histogram.h"

namespace segue {
namespace {

TEST(PopulationStabilityIndex, MatchesHandComputedValues) {
  const std::vector<uint64_t> half{5, 5};
  EXPECT_DOUBLE_EQ(PopulationStabilityIndex(half, std::vector<uint64_t>{50, 50}), 0.0);
  // e = (.5, .5), a = (.25, .75): (.25 - .5) ln(.5) + (.75 - .5) ln(1.5) = .25 ln 2 + .25 ln 1.5.
  EXPECT_NEAR(PopulationStabilityIndex(half, std::vector<uint64_t>{1, 3}), 0.27465307216702745, 1e-12);
  // An empty reference bin counts as epsilon: e = (1, 1e-4), a = (.5, .5).
  EXPECT_NEAR(PopulationStabilityIndex(std::vector<uint64_t>{7, 0}, std::vector<uint64_t>{2, 2}),
              4.60431846666895, 1e-9);
}

TEST(PopulationStabilityIndex, IsNanWithoutTwoComparableDistributions) {
  EXPECT_TRUE(std::isnan(PopulationStabilityIndex(std::vector<uint64_t>{1, 1}, std::vector<uint64_t>{1, 1, 1})));
  EXPECT_TRUE(std::isnan(PopulationStabilityIndex(std::vector<uint64_t>{0, 0}, std::vector<uint64_t>{1, 1})));
  EXPECT_TRUE(std::isnan(PopulationStabilityIndex(std::vector<uint64_t>{1, 1}, std::vector<uint64_t>{0, 0})));
}

TEST(ScoreBin, EqualWidthOverTheUnitInterval) {
  EXPECT_EQ(ScoreBin(0.0f), 0);
  EXPECT_EQ(ScoreBin(0.049f), 0);
  EXPECT_EQ(ScoreBin(0.05f), 1);
  EXPECT_EQ(ScoreBin(0.999f), kScoreHistogramBins - 1);
  EXPECT_EQ(ScoreBin(1.0f), kScoreHistogramBins - 1);
  EXPECT_EQ(ScoreBin(-0.5f), 0);
}

std::vector<uint64_t> AllInBin(int bin) {
  std::vector<uint64_t> counts(kScoreHistogramBins, 0);
  counts[static_cast<size_t>(bin)] = 100;
  return counts;
}

TEST(ScoreDrift, NanWithoutAReferenceOrEnoughScores) {
  ScoreDrift drift({.window = 8, .min_scores = 3});
  drift.Observe(0.01f);
  drift.Observe(0.01f);
  drift.Observe(0.01f);
  EXPECT_TRUE(std::isnan(drift.Psi()));  // no reference yet
  drift.SetReference(std::vector<uint64_t>{1, 2, 3});  // wrong bin count: no reference
  EXPECT_FALSE(drift.has_reference());
  drift.SetReference(AllInBin(0));
  EXPECT_TRUE(drift.has_reference());
  EXPECT_EQ(drift.window().counts[0], 0u);  // a new reference restarts the window
  drift.Observe(0.01f);
  drift.Observe(0.01f);
  EXPECT_TRUE(std::isnan(drift.Psi()));
  drift.Observe(0.01f);
  EXPECT_DOUBLE_EQ(drift.Psi(), 0.0);
}

TEST(ScoreDrift, TheWindowKeepsOnlyTheMostRecentScores) {
  ScoreDrift drift({.window = 4, .min_scores = 1});
  drift.SetReference(AllInBin(0));
  for (int i = 0; i < 4; ++i) drift.Observe(0.97f);  // all in the last bin: far from the reference
  const double shifted = drift.Psi();
  EXPECT_GT(shifted, 1.0);
  std::vector<uint64_t> live(kScoreHistogramBins, 0);
  live.back() = 4;
  EXPECT_DOUBLE_EQ(shifted, PopulationStabilityIndex(AllInBin(0), live));
  for (int i = 0; i < 4; ++i) drift.Observe(0.02f);  // the four old scores are evicted
  EXPECT_EQ(drift.window().counts[0], 4u);
  EXPECT_EQ(drift.window().counts[kScoreHistogramBins - 1], 0u);
  EXPECT_NEAR(drift.window().sum, 4 * 0.02, 1e-6);
  EXPECT_DOUBLE_EQ(drift.Psi(), 0.0);
  drift.Observe(0.97f);  // one of four in the last bin again
  live.back() = 1;
  live.front() = 3;
  EXPECT_DOUBLE_EQ(drift.Psi(), PopulationStabilityIndex(AllInBin(0), live));
}

}  // namespace
}  // namespace segue
