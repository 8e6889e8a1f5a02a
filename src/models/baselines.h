// The honest baselines the Transformer is compared with, on the same examples and the same hand-made
// features (TabularFeatures in session_features.h):
//  - TrailingSkipHeuristic: "two consecutive skips → disengaging". Its score is the number of trailing
//    consecutive skips, mapped to a probability by the positive rate observed per count on the training
//    examples (made non-decreasing, so the score order is the count order); its decision threshold is
//    the probability of exactly two skips.
//  - XgbClassifier with booster "gblinear" + binary:logistic: logistic regression (XGBoost's linear
//    booster, single-threaded so it is deterministic, L2-regularised: a well-kept solver instead of a
//    hand-written SGD whose learning rate we would have to tune per data set).
//  - XgbClassifier with booster "gbtree": gradient-boosted trees on the same features.
// Class balancing: scale_pos_weight = negatives / positives when `balance` is set (the disengagement
// models), which inflates probabilities — the calibration error reported reflects that.
// Thread-safety: Predict is safe concurrently on a fitted model (XgbBooster, xgb_booster.h).
#pragma once

#include <array>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "common/status.h"
#include "features/session_features.h"
#include "models/xgb_booster.h"

namespace segue {

// The logistic regression baseline's parameters (gblinear, 100 rounds, η 0.5, L2 λ 1, class-balanced): one
// definition for `segue eval` and the logistic part of a bundle (logistic_stack.h).
XgbParams LogisticRegressionParams();

class TrailingSkipHeuristic {
 public:
  static constexpr int kMaxCount = 6;  // counts above are pooled
  static constexpr int kDecisionSkips = 2;

  // `trailing_skips[i]` (TrailingSkips of example i) and its 0/1 label.
  static TrailingSkipHeuristic Fit(std::span<const int> trailing_skips, std::span<const uint8_t> labels);
  float Probability(int trailing_skips) const;
  float threshold() const { return rate_[kDecisionSkips]; }

 private:
  std::array<float, kMaxCount + 1> rate_{};
};

// An XgbBooster (xgb_booster.h) on TabularRows.
class XgbClassifier {
 public:

  // kInvalidArgument when there is no example or only one class; kInternal with XGBoost's message when
  // the library fails.
  static Result<XgbClassifier> Fit(std::span<const TabularRow> rows, std::span<const uint8_t> labels,
                                   const XgbParams& params);
  // Probabilities of the positive class, one per row.
  Result<std::vector<float>> Predict(std::span<const TabularRow> rows) const;

 private:
  explicit XgbClassifier(XgbBooster booster) : booster_(std::move(booster)) {}
  XgbBooster booster_;
};

}  // namespace segue
