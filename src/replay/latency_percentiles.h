// Latency samples as the load generators keep them (microseconds, uint32, saturating) and their summary.
// Percentiles are nearest-rank (the smallest sample with at least p of the samples at or below it).
// Plain functions.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace segue {

inline uint32_t LatencyMicros(std::chrono::steady_clock::duration d) {
  const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return static_cast<uint32_t>(std::clamp<int64_t>(us, 0, UINT32_MAX));
}

struct LatencyPercentiles {
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

// Sorts `samples_us` in place.
LatencyPercentiles ComputeLatencyPercentiles(std::vector<uint32_t>& samples_us);

// The nearest-rank percentile p (0..1] of sorted samples, in ms; 0 when there are none.
double PercentileMs(const std::vector<uint32_t>& sorted_us, double p);

}  // namespace segue
