// The logistic parts of a disengagement bundle (disengagement_predictor.h), fitted at training time:
//  - logistic regression on the hand-made TabularFeatures of the training decision points, with the
//    logistic baseline's parameters (LogisticRegressionParams, baselines.h: class-balanced), so the
//    logistic kind serves exactly the "logistic" baseline of `segue eval` (blend {0, 1, 0});
//  - for the stacked kind, the blend: a logistic model on [logit(p_transformer), logistic margin] fitted
//    on the validation decision points (not used for the logistic regression), class-balanced as well.
// Why balanced and not recalibrated to the training base rate: a new population's base rate is not the
// training one. Measured under cross-validation by listener on the real histories (docs/models.md,
// "Generalising to new listeners"), scores recalibrated to each fold's training base rate ranked the
// pooled held-out listeners far worse (ROC-AUC 0.35) than the same model's balanced scores (0.79): a
// fold whose training listeners skip little held out a listener who leaves often, and vice versa.
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
