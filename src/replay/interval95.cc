#include "replay/interval95.h"

#include <algorithm>
#include <cmath>

namespace segue {
namespace {
constexpr double kZ95 = 1.959963984540054;

Estimate WithStandardError(double value, double se, uint64_t n) {
  return {true, value, value - kZ95 * se, value + kZ95 * se, se, n};
}
}  // namespace

Estimate ProportionCi95(uint64_t k, uint64_t n) {
  if (n == 0) return {};
  const double p = static_cast<double>(k) / static_cast<double>(n);
  Estimate e = WithStandardError(p, std::sqrt(p * (1 - p) / static_cast<double>(n)), n);
  e.lo = std::max(0.0, e.lo);
  e.hi = std::min(1.0, e.hi);
  return e;
}

Estimate MeanCi95(double sum, double sum_squares, uint64_t n) {
  if (n == 0) return {};
  const double nd = static_cast<double>(n), mean = sum / nd;
  if (n < 2) return {true, mean, mean, mean, 0, n};
  // Sample variance; clamped because rounding can make it slightly negative for equal samples.
  const double variance = std::max(0.0, (sum_squares - nd * mean * mean) / (nd - 1));
  return WithStandardError(mean, std::sqrt(variance / nd), n);
}

Estimate DifferenceCi95(const Estimate& a, const Estimate& b) {
  if (!a.defined || !b.defined) return {};
  return WithStandardError(a.value - b.value, std::sqrt(a.se * a.se + b.se * b.se), a.n + b.n);
}

}  // namespace segue
