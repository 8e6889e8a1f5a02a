#include "models/baselines.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "models/metrics.h"

namespace segue {
namespace {

// Label = feature 3 + feature 7 > 1 (plus 5% label noise); other columns are noise.
void MakeData(size_t n, uint32_t seed, std::vector<TabularRow>* rows, std::vector<uint8_t>* labels) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (size_t i = 0; i < n; ++i) {
    TabularRow row{};
    for (float& v : row) v = u(rng);
    bool y = row[3] + row[7] > 1.f;
    if (u(rng) < 0.05f) y = !y;
    rows->push_back(row);
    labels->push_back(y ? 1 : 0);
  }
}

TEST(Baselines, XgboostModelsLearnALinearSignal) {
  std::vector<TabularRow> train, test;
  std::vector<uint8_t> ytrain, ytest;
  MakeData(4000, 1, &train, &ytrain);
  MakeData(2000, 2, &test, &ytest);
  for (const char* booster : {"gblinear", "gbtree"}) {
    XgbParams params;
    params.booster = booster;
    params.rounds = booster == std::string("gblinear") ? 100 : 50;
    params.eta = booster == std::string("gblinear") ? 0.5 : 0.1;
    Result<XgbClassifier> model = XgbClassifier::Fit(train, ytrain, params);
    ASSERT_TRUE(model.ok()) << model.status().message();
    Result<std::vector<float>> p = model->Predict(test);
    ASSERT_TRUE(p.ok());
    ASSERT_EQ(p->size(), test.size());
    EXPECT_GT(RocAuc(*p, ytest), 0.9) << booster;
    for (float v : *p) ASSERT_TRUE(v >= 0.f && v <= 1.f);
    // Deterministic: a second fit gives the same predictions.
    Result<XgbClassifier> again = XgbClassifier::Fit(train, ytrain, params);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again->Predict(test), *p) << booster;
  }
}

TEST(Baselines, FitRejectsDegenerateData) {
  std::vector<TabularRow> rows(3);
  std::vector<uint8_t> labels = {1, 1, 1};
  Result<XgbClassifier> model = XgbClassifier::Fit(rows, labels, XgbParams{});
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(XgbClassifier::Fit({}, {}, XgbParams{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(Baselines, HeuristicRatesAreMonotoneInTrailingSkips) {
  // 0 skips: 1/4 positive, 1 skip: 3/4, 2 skips: 2/4 (made monotone → 3/4), 3: never seen (inherits).
  const std::vector<int> counts = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
  const std::vector<uint8_t> labels = {1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0};
  const TrailingSkipHeuristic h = TrailingSkipHeuristic::Fit(counts, labels);
  EXPECT_FLOAT_EQ(h.Probability(0), 0.25f);
  EXPECT_FLOAT_EQ(h.Probability(1), 0.75f);
  EXPECT_FLOAT_EQ(h.Probability(2), 0.75f);
  EXPECT_FLOAT_EQ(h.Probability(3), 0.75f);
  EXPECT_FLOAT_EQ(h.Probability(100), 0.75f);
  EXPECT_FLOAT_EQ(h.threshold(), h.Probability(2));
}

}  // namespace
}  // namespace segue
