// LinearModel: a logistic model as plain coefficients, margin = bias + Σ wᵢ·xᵢ and probability
// σ(margin). The disengagement bundle stores two of them (disengagement_predictor.h): logistic
// regression on the hand-made TabularFeatures, and the blend that stacks it with the Transformer.
// Serving evaluates the coefficients directly (a dot product, no XGBoost call per event).
//
// Fitting uses the maintained solver the baselines use (XGBoost's gblinear with binary:logistic,
// baselines.h), then reads the coefficients out of the fitted model, so the model a bundle serves is
// exactly the "logistic" baseline of `segue eval` when fitted on the same rows with the same parameters.
// Thread-safety: immutable value; Margin/Probability are safe concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "models/xgb_booster.h"

namespace segue {

struct LinearModel {
  std::vector<float> weights;  // one per input
  float bias = 0;              // includes XGBoost's base margin

  double Margin(std::span<const float> x) const;
  float Probability(std::span<const float> x) const;
};

// Fits `params` (booster must be "gblinear") on `rows` (row-major, `cols` inputs each) and returns the
// coefficients. kInvalidArgument for a non-linear booster, no example or one class; kInternal when XGBoost
// fails or its model JSON does not have the expected shape.
Result<LinearModel> FitLinearModel(std::span<const float> rows, size_t cols, std::span<const uint8_t> labels,
                                   const XgbParams& params);

// The coefficients of a fitted gblinear booster with one output (XGBoost's model JSON: weights of the
// inputs then the bias; plus the base margin of its base_score).
Result<LinearModel> LinearModelOf(const XgbBooster& booster);

// log(p / (1 - p)) with p clamped away from 0 and 1 (a probability turned back into a blend input).
float Logit(float p);

}  // namespace segue
