// The cluster bootstrap behind the 95 % intervals of `segue eval disengagement`: decision points of one
// session are strongly correlated, so a resample draws whole sessions with replacement (as many as there
// are) and takes all of their decision points. Every model is measured on the same resamples, which
// makes the interval of a difference between two models a paired one.
//
// Contract: resample b is a pure function of (the session of each example, b, seed), so the same seed
// gives the same intervals run after run. Intervals are percentile intervals (2.5 % and 97.5 %, linear
// interpolation) over the resamples whose statistic is defined (NaN ones, e.g. a resample without a
// positive, are left out); NaN bounds when none is defined.
// Thread-safety: a SessionBootstrap is immutable after construction; ForEachResample is reentrant.
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

class SessionBootstrap {
 public:
  // `session_of[i]`: any id of the session of example i (equal ids = same session).
  SessionBootstrap(std::span<const uint32_t> session_of, int resamples, uint64_t seed);

  int resamples() const { return resamples_; }
  size_t sessions() const { return members_.size(); }

  // Calls visit(b, sessions drawn (dense 0..sessions()-1, with repeats), their examples' indices) for
  // every resample b in order.
  void ForEachResample(
      const std::function<void(int b, std::span<const uint32_t> sessions, std::span<const uint32_t> examples)>& visit)
      const;

  // The dense session (0..sessions()-1) of example i.
  uint32_t SessionOf(size_t example) const { return dense_session_[example]; }

 private:
  int resamples_;
  uint64_t seed_;
  std::vector<uint32_t> dense_session_;         // per example
  std::vector<std::vector<uint32_t>> members_;  // per dense session: its examples
};

}  // namespace segue
