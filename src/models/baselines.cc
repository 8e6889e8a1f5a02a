#include "models/baselines.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace segue {

XgbParams LogisticRegressionParams() {
  XgbParams p;
  p.booster = "gblinear";
  p.rounds = 100;
  p.eta = 0.5;
  return p;
}

TrailingSkipHeuristic TrailingSkipHeuristic::Fit(std::span<const int> trailing_skips, std::span<const uint8_t> labels) {
  std::array<double, kMaxCount + 1> positives{}, total{};
  for (size_t i = 0; i < trailing_skips.size(); ++i) {
    const int c = std::clamp(trailing_skips[i], 0, kMaxCount);
    total[c] += 1;
    positives[c] += labels[i] ? 1 : 0;
  }
  TrailingSkipHeuristic h;
  float running = 0;
  for (int c = 0; c <= kMaxCount; ++c) {
    // A count never seen in training inherits the rate below it; the running max keeps the
    // probability order equal to the skip-count order.
    const float rate = total[c] > 0 ? static_cast<float>(positives[c] / total[c]) : running;
    running = std::max(running, rate);
    h.rate_[c] = running;
  }
  return h;
}

float TrailingSkipHeuristic::Probability(int trailing_skips) const {
  return rate_[std::clamp(trailing_skips, 0, kMaxCount)];
}

namespace {

XgbRows RowsOf(std::span<const TabularRow> rows) {
  return {rows.empty() ? nullptr : rows.front().data(), rows.size(), kTabularFeatures};
}

}  // namespace

Result<XgbClassifier> XgbClassifier::Fit(std::span<const TabularRow> rows, std::span<const uint8_t> labels,
                                         const XgbParams& p) {
  Result<XgbBooster> booster = XgbBooster::Fit(RowsOf(rows), labels, p);
  if (!booster.ok()) return booster.status();
  return XgbClassifier(std::move(*booster));
}

Result<std::vector<float>> XgbClassifier::Predict(std::span<const TabularRow> rows) const {
  std::vector<float> out;
  if (Status s = booster_.Predict(RowsOf(rows), &out); !s.ok()) return s;
  return out;
}

}  // namespace segue
