// The simulator's random source. Determinism is part of the simulator's contract (same seed → same
// bytes), so every distribution here is written out instead of taken from <random>: the standard
// specifies std::mt19937_64's output but not the algorithms of its distributions, which differ between
// standard libraries. Transcendental functions come from <cmath>, so output is identical for a given
// platform's libm (glibc on Debian 12, which is what tests and CI run).
// Not thread-safe: one SimRandom per listener (see ListenerSeed), which also keeps each listener's
// choices independent of how listeners are interleaved or of what other listeners are offered.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <span>

namespace segue::sim {

// SplitMix64: turns (seed, stream) pairs into well-mixed, uncorrelated seeds.
constexpr uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
constexpr uint64_t DeriveSeed(uint64_t seed, uint64_t stream) { return SplitMix64(SplitMix64(seed) ^ stream); }

class SimRandom {
 public:
  explicit SimRandom(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n), n > 0 (modulo: the bias, n / 2^64, is negligible for any n we use).
  uint64_t Below(uint64_t n) { return engine_() % n; }
  bool Bernoulli(double p) { return Uniform() < p; }
  // Standard normal (Box–Muller, one value per call: simpler state, the cost is irrelevant here).
  double Normal() {
    double u1 = 1.0 - Uniform();  // (0, 1]
    double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }
  // Poisson by inversion; means used here are small (sessions per day).
  int Poisson(double mean) {
    double l = std::exp(-mean), p = 1.0;
    int k = 0;
    do {
      ++k;
      p *= Uniform();
    } while (p > l && k < 1000);
    return k - 1;
  }
  // Gamma(shape, 1), Marsaglia–Tsang; shape < 1 via the boost u^(1/shape).
  double Gamma(double shape) {
    if (shape < 1.0) return Gamma(shape + 1.0) * std::pow(Uniform() + 1e-300, 1.0 / shape);
    double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = Normal(), v = 1.0 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = Uniform();
      if (std::log(u + 1e-300) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }
  // Index drawn with probability proportional to weights (not necessarily normalised, not all zero).
  size_t Categorical(std::span<const float> weights) {
    double total = 0;
    for (float w : weights) total += w;
    double r = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace segue::sim
