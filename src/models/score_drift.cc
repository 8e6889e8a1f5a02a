#include "models/score_drift.h"

#include <cmath>

namespace segue {

ScoreDrift::ScoreDrift(ScoreDriftOptions options) : options_(options), ring_(std::max<size_t>(1, options.window)) {}

void ScoreDrift::SetReference(const std::vector<uint64_t>& counts) {
  std::lock_guard lock(mu_);
  if (counts.size() == kScoreHistogramBins) {
    reference_ = counts;
  } else {
    reference_.clear();
  }
  next_ = 0;
  filled_ = 0;
  window_ = {};
}

void ScoreDrift::Observe(float score) {
  const size_t bin = static_cast<size_t>(ScoreBin(score));
  std::lock_guard lock(mu_);
  if (filled_ == ring_.size()) {
    const float oldest = ring_[next_];
    --window_.counts[static_cast<size_t>(ScoreBin(oldest))];
    window_.sum -= oldest;
  } else {
    ++filled_;
  }
  ring_[next_] = score;
  ++window_.counts[bin];
  window_.sum += score;
  next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
}

double ScoreDrift::Psi() const {
  std::lock_guard lock(mu_);
  if (reference_.empty() || filled_ < options_.min_scores) return NAN;
  return PopulationStabilityIndex(reference_, window_.counts);
}

ScoreWindow ScoreDrift::window() const {
  std::lock_guard lock(mu_);
  return window_;
}

bool ScoreDrift::has_reference() const {
  std::lock_guard lock(mu_);
  return !reference_.empty();
}

}  // namespace segue
