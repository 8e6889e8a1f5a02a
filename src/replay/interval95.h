// 95 % confidence intervals by the normal approximation, for the closed-loop driver's client-side arms
// (`segue demo`): a proportion (Wald: p ± 1.96·√(p(1−p)/n), clipped to [0, 1]), a mean (± 1.96·s/√n, s the sample standard
// deviation) and the difference of two independent estimates (± 1.96·√(se_a² + se_b²), from the unclipped standard errors). Wald is rough near
// 0 and 1 and for small n; the demo's arms hold hundreds of sessions. An estimate from n = 0 (a mean from
// n < 2 has no interval) is undefined. Plain functions.
#pragma once

#include <cstdint>

namespace segue {

struct Estimate {
  bool defined = false;
  double value = 0;
  double lo = 0, hi = 0;  // equal to value when there is no interval
  double se = 0;          // standard error (before any clipping of lo, hi)
  uint64_t n = 0;
};

Estimate ProportionCi95(uint64_t k, uint64_t n);
Estimate MeanCi95(double sum, double sum_squares, uint64_t n);
// a − b.
Estimate DifferenceCi95(const Estimate& a, const Estimate& b);

}  // namespace segue
