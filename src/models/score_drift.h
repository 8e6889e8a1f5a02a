// ScoreDrift: the live side of score-distribution monitoring. It keeps the most recent `window`
// disengagement scores (a ring, so memory is fixed: four bytes per score) with their histogram and sum,
// and compares the histogram with the serving model's reference histogram (the bundle's validation
// scores) by the population stability index (score_histogram.h).
//
// Contract:
//  - SetReference installs the reference of a newly served model and empties the window: scores of the
//    previous model say nothing about the new one. An empty reference (a bundle saved without one) or one
//    with another bin count means "no reference": Psi() is NaN.
//  - Psi() is NaN until the window holds at least `min_scores` scores (a PSI of a few scores is noise).
// Thread-safety: every method is safe to call concurrently; one mutex, held for a few instructions.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <vector>

#include "models/score_histogram.h"

namespace segue {

// The window's histogram (bin i: scores in [i, i + 1) / kScoreHistogramBins) and the sum of its scores.
struct ScoreWindow {
  std::array<uint64_t, kScoreHistogramBins> counts{};
  double sum = 0;
};

struct ScoreDriftOptions {
  size_t window = 10'000;
  size_t min_scores = 200;
};

class ScoreDrift {
 public:
  explicit ScoreDrift(ScoreDriftOptions options = {});

  void SetReference(const std::vector<uint64_t>& counts);
  void Observe(float score);

  double Psi() const;
  ScoreWindow window() const;
  bool has_reference() const;

 private:
  const ScoreDriftOptions options_;
  mutable std::mutex mu_;
  std::vector<uint64_t> reference_;  // empty: none
  std::vector<float> ring_;  // the window's scores, oldest overwritten first
  size_t next_ = 0;          // ring slot of the next score
  size_t filled_ = 0;
  ScoreWindow window_;       // histogram and sum of the ring's contents
};

}  // namespace segue
