#include "models/linear_model.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace segue {
namespace {

// Rows whose label leans on x0 - x1 (plus noise), with an intercept far from 0.
struct Rows {
  std::vector<float> x;
  std::vector<uint8_t> y;
};
Rows MakeRows(size_t n, size_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.f, 1.f);
  Rows r;
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < cols; ++c) r.x.push_back(g(rng) + (c == 2 ? 3.f : 0.f));
    const float z = 1.5f * r.x[i * cols] - r.x[i * cols + 1] - 1.f + g(rng);
    r.y.push_back(z > 0 ? 1 : 0);
  }
  return r;
}

TEST(LinearModelTest, CoefficientsReproduceXgboostsPredictions) {
  constexpr size_t kCols = 4;
  const Rows rows = MakeRows(600, kCols, 3);
  XgbParams params;
  params.booster = "gblinear";
  params.rounds = 50;
  params.eta = 0.5;
  auto booster = XgbBooster::Fit({rows.x.data(), rows.y.size(), kCols}, rows.y, params);
  ASSERT_TRUE(booster.ok()) << booster.status().ToString();
  std::vector<float> expected;
  ASSERT_TRUE(booster->Predict({rows.x.data(), rows.y.size(), kCols}, &expected).ok());
  auto model = LinearModelOf(*booster);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_EQ(model->weights.size(), kCols);
  for (size_t i = 0; i < rows.y.size(); ++i) {
    EXPECT_NEAR(model->Probability(std::span<const float>(rows.x).subspan(i * kCols, kCols)), expected[i], 1e-5f)
        << "row " << i;
  }
  EXPECT_GT(model->weights[0], 0.f);
  EXPECT_LT(model->weights[1], 0.f);
}

TEST(LinearModelTest, FitRefusesTreesAndMismatchedRows) {
  const Rows rows = MakeRows(50, 2, 4);
  XgbParams trees;
  EXPECT_EQ(FitLinearModel(rows.x, 2, rows.y, trees).status().code(), StatusCode::kInvalidArgument);
  XgbParams linear;
  linear.booster = "gblinear";
  EXPECT_EQ(FitLinearModel(rows.x, 3, rows.y, linear).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(FitLinearModel(rows.x, 2, rows.y, linear).ok());
}

TEST(LinearModelTest, LogitInvertsTheSigmoidAndStaysFinite) {
  EXPECT_NEAR(Logit(0.5f), 0.f, 1e-6f);
  EXPECT_NEAR(Logit(0.880797f), 2.f, 1e-4f);
  EXPECT_TRUE(std::isfinite(Logit(0.f)));
  EXPECT_TRUE(std::isfinite(Logit(1.f)));
}

}  // namespace
}  // namespace segue
