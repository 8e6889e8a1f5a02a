// Ratio estimates with the listener as the unit, and their 95 % confidence intervals (delta method).
//
// A per-arm rate such as the skip rate is R = Σy / Σx over the arm's listeners (y = a listener's skips,
// x = their plays): each listener contributes their own ratio weighted by their denominator, and the
// listeners, not the plays, are the independent units (plays of one listener are correlated). With n
// listeners that have x > 0 and x̄ = Σx / n, the delta method gives
//     Var(R) ≈ Σ (y_i - R x_i)² / (n (n - 1) x̄²),   CI = R ± 1.959964 √Var(R).
// Listeners with x = 0 contribute nothing to the ratio and are not counted in n.
// The difference between two arms (independent samples) is d = R_a - R_b with
// Var(d) = Var(R_a) + Var(R_b), CI = d ± 1.959964 √Var(d).
// Σ(y - R x)² is expanded as Σy² - 2RΣxy + R²Σx², so one pass of sums suffices.
// No value without any listener (Σx = 0); no interval with fewer than two listeners. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

namespace segue::experiments {

inline constexpr double kZ95 = 1.959964;

struct RatioSums {
  uint64_t n = 0;
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;

  // One listener's denominator and numerator; ignored when x <= 0.
  void Add(double x, double y) {
    if (!(x > 0)) return;
    ++n;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
};

using Interval = std::pair<double, double>;

struct Estimate {
  std::optional<double> value;
  std::optional<Interval> ci95;
  uint64_t n = 0;
  double variance = 0;  // of the value; meaningful only with ci95
};

struct Difference {
  std::optional<double> value;
  std::optional<Interval> ci95;
};

Estimate EstimateRatio(const RatioSums& sums);
Difference DifferenceOf(const Estimate& arm, const Estimate& baseline);

}  // namespace segue::experiments
