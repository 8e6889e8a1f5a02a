// The cluster bootstrap behind the 95 % intervals of `segue eval disengagement`: decision points of one
// session (and of one listener) are strongly correlated, so a resample draws whole clusters — sessions
// by default, or listeners — with replacement (as many as there are) and takes all of their decision
// points. Every model is measured on the same resamples, which makes the interval of a difference
// between two models a paired one.
//
// Contract: resample b is a pure function of (the cluster of each example, b, seed), so the same seed
// gives the same intervals run after run. Intervals are percentile intervals (2.5 % and 97.5 %, linear
// interpolation) over the resamples whose statistic is defined (NaN ones, e.g. a resample without a
// positive, are left out); NaN bounds when none is defined.
// Thread-safety: a ClusterBootstrap is immutable after construction; ForEachResample is reentrant.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace segue {

struct Interval {
  double lo = 0, hi = 0;
};

// The central 95 % of `values` (NaN skipped).
Interval Percentile95(std::vector<double> values);

class ClusterBootstrap {
 public:
  // `cluster_of[i]`: any id of the cluster of example i (equal ids = same cluster).
  ClusterBootstrap(std::span<const uint32_t> cluster_of, int resamples, uint64_t seed);

  int resamples() const { return resamples_; }
  size_t clusters() const { return members_.size(); }

  // Calls visit(b, the indices of the examples of the clusters drawn, with repeats) for every resample
  // b in order.
  void ForEachResample(const std::function<void(int b, std::span<const uint32_t> examples)>& visit) const;

 private:
  int resamples_;
  uint64_t seed_;
  std::vector<std::vector<uint32_t>> members_;  // per cluster (first-seen order): its examples
};

}  // namespace segue
