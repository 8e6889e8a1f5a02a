#include "experiments/ratio_estimate.h"

#include <algorithm>
#include <cmath>

namespace segue::experiments {

Estimate EstimateRatio(const RatioSums& s) {
  Estimate e;
  e.n = s.n;
  if (s.n == 0 || !(s.sx > 0)) return e;
  const double r = s.sy / s.sx;
  e.value = r;
  if (s.n < 2) return e;
  const double n = static_cast<double>(s.n);
  // Rounding can make the expanded sum of squares slightly negative when every residual is 0.
  const double residuals = std::max(0.0, s.syy - 2 * r * s.sxy + r * r * s.sxx);
  const double mean_x = s.sx / n;
  e.variance = residuals / (n * (n - 1) * mean_x * mean_x);
  const double half = kZ95 * std::sqrt(e.variance);
  e.ci95 = Interval{r - half, r + half};
  return e;
}

Difference DifferenceOf(const Estimate& arm, const Estimate& baseline) {
  Difference d;
  if (!arm.value || !baseline.value) return d;
  d.value = *arm.value - *baseline.value;
  if (!arm.ci95 || !baseline.ci95) return d;
  const double half = kZ95 * std::sqrt(arm.variance + baseline.variance);
  d.ci95 = Interval{*d.value - half, *d.value + half};
  return d;
}

}  // namespace segue::experiments
