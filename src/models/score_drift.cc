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
  counts_.fill(0);
}

void ScoreDrift::Observe(float score) {
  const auto bin = static_cast<uint8_t>(ScoreBin(score));
  std::lock_guard lock(mu_);
  if (filled_ == ring_.size()) {
    --counts_[ring_[next_]];
  } else {
    ++filled_;
  }
  ring_[next_] = bin;
  ++counts_[bin];
  next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
}

double ScoreDrift::Psi() const {
  std::lock_guard lock(mu_);
  if (reference_.empty() || filled_ < options_.min_scores) return NAN;
  return PopulationStabilityIndex(reference_, counts_);
}

size_t ScoreDrift::window_scores() const {
  std::lock_guard lock(mu_);
  return filled_;
}

bool ScoreDrift::has_reference() const {
  std::lock_guard lock(mu_);
  return !reference_.empty();
}

}  // namespace segue
