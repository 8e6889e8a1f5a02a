#include "models/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/mssd_metrics.h"

namespace segue {
namespace {

// Hand-computed: positives at scores 0.9, 0.6, 0.3; negatives at 0.8, 0.4, 0.2, 0.1.
const std::vector<float> kScores = {0.9f, 0.8f, 0.6f, 0.4f, 0.3f, 0.2f, 0.1f};
const std::vector<uint8_t> kLabels = {1, 0, 1, 0, 1, 0, 0};

TEST(Metrics, RocAucCountsCorrectlyOrderedPairs) {
  // Pairs (pos, neg) ordered correctly: 0.9 beats 4, 0.6 beats 3, 0.3 beats 2 → 9 of 12.
  EXPECT_DOUBLE_EQ(RocAuc(kScores, kLabels), 9.0 / 12.0);
  const std::vector<float> tied = {0.5f, 0.5f};
  const std::vector<uint8_t> mixed = {1, 0};
  EXPECT_DOUBLE_EQ(RocAuc(tied, mixed), 0.5);
  const std::vector<uint8_t> all_pos = {1, 1};
  EXPECT_TRUE(std::isnan(RocAuc(tied, all_pos)));
}

TEST(Metrics, AveragePrecisionMatchesTheStepCurve) {
  // Precision at each positive: 1/1, 2/3, 3/5 → AP = (1 + 2/3 + 3/5) / 3.
  EXPECT_NEAR(AveragePrecision(kScores, kLabels), (1.0 + 2.0 / 3.0 + 3.0 / 5.0) / 3.0, 1e-12);
  // A tie between a positive and a negative forms one threshold: precision 1/2 at recall 1.
  const std::vector<float> tied = {0.5f, 0.5f};
  const std::vector<uint8_t> mixed = {0, 1};
  EXPECT_DOUBLE_EQ(AveragePrecision(tied, mixed), 0.5);
}

TEST(Metrics, PrecisionAtKAndFalsePositiveRate) {
  EXPECT_DOUBLE_EQ(PrecisionAtK(kScores, kLabels, 1), 1.0);
  EXPECT_DOUBLE_EQ(PrecisionAtK(kScores, kLabels, 3), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(PrecisionAtK(kScores, kLabels, 100), 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(FalsePositiveRate(kScores, kLabels, 0.35f), 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(PrecisionAt(kScores, kLabels, 0.35f), 2.0 / 4.0);
  EXPECT_TRUE(std::isnan(PrecisionAt(kScores, kLabels, 0.95f)));
}

TEST(Metrics, ThresholdForPrecisionPicksTheHighestRecallPoint) {
  EXPECT_EQ(ThresholdForPrecision(kScores, kLabels, 1.0), 0.9f);
  EXPECT_EQ(ThresholdForPrecision(kScores, kLabels, 0.6), 0.3f);  // precision 3/5 at 0.3
  EXPECT_EQ(ThresholdForPrecision(kScores, kLabels, 0.65), 0.6f);  // 2/3 at 0.6
  const std::vector<uint8_t> none = {0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(ThresholdForPrecision(kScores, none, 0.1).has_value());
}

TEST(Metrics, ExpectedCalibrationError) {
  // Bin [0.9, 1.0): two predictions of 0.95, one positive → |0.95 - 0.5| weighted 2/4.
  // Bin [0.1, 0.2): two predictions of 0.15, no positive → |0.15 - 0| weighted 2/4.
  const std::vector<float> p = {0.95f, 0.95f, 0.15f, 0.15f};
  const std::vector<uint8_t> y = {1, 0, 0, 0};
  EXPECT_NEAR(ExpectedCalibrationError(p, y), 0.5 * 0.45 + 0.5 * 0.15, 1e-6);
  const std::vector<float> perfect = {1.0f, 0.0f};
  const std::vector<uint8_t> perfect_y = {1, 0};
  EXPECT_NEAR(ExpectedCalibrationError(perfect, perfect_y), 0.0, 1e-12);
}

TEST(MssdMetrics, HandComputedAverageAccuracy) {
  // Predictions 1,0,1,1 vs truth 1,1,1,0: correct at 1 and 3.
  // AA = (A(1)*1 + A(3)*1) / 4 = (1/1 + 2/3) / 4 = 5/12.
  SkipSequence a{{1, 0, 1, 1}, {1, 1, 1, 0}};
  EXPECT_NEAR(AverageAccuracy(a), 5.0 / 12.0, 1e-12);
  SkipSequence b{{0, 0}, {0, 0}};  // all correct: AA = 1
  EXPECT_DOUBLE_EQ(AverageAccuracy(b), 1.0);
  SkipSequence c{{1}, {0}};  // wrong: AA = 0
  SkipSequence empty;       // not counted
  const std::vector<SkipSequence> sessions = {a, b, c, empty};
  EXPECT_NEAR(MeanAverageAccuracy(sessions), (5.0 / 12.0 + 1.0 + 0.0) / 3.0, 1e-12);
  EXPECT_NEAR(FirstPredictionAccuracy(sessions), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(SecondHalfStart(7), 3u);
  EXPECT_EQ(SecondHalfStart(8), 4u);
}

}  // namespace
}  // namespace segue
