// The logistic parts of a disengagement bundle (disengagement_predictor.h), fitted at training time:
//  - logistic regression on the hand-made TabularFeatures of the training decision points, with the
//    logistic baseline's parameters (LogisticRegressionParams, baselines.h: class-balanced);
//  - the blend, a logistic model fitted WITHOUT class weighting on the validation decision points (not
//    used for the logistic regression): inputs [logistic margin] for the logistic kind (Platt scaling:
//    the balanced model's inflated probabilities become calibrated ones, the ranking is unchanged), and
//    [logit(p_transformer), logistic margin] for the stacked kind.
// The validation scores it returns are the served model's, for the bundle's threshold and metrics.
// Thread-safety: a pure function (XGBoost single-threaded).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"
#include "models/disengagement_predictor.h"
#include "models/linear_model.h"

namespace segue {

struct LogisticStack {
  LinearModel logistic;
  BlendWeights blend;
  std::vector<float> valid_scores;  // the served model's probabilities on the validation examples
};

// `valid_transformer`: the Transformer's validation probabilities for the stacked kind; empty for the
// logistic kind. kInvalidArgument when a set is empty or has one class only, or the sizes differ.
Result<LogisticStack> FitLogisticStack(const std::vector<FeatureVector>& train_x, const std::vector<uint8_t>& train_y,
                                       const std::vector<FeatureVector>& valid_x, const std::vector<uint8_t>& valid_y,
                                       std::span<const float> valid_transformer);

}  // namespace segue
