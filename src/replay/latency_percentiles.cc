#include "replay/latency_percentiles.h"

namespace segue {

double PercentileMs(const std::vector<uint32_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  size_t rank = static_cast<size_t>(p * static_cast<double>(sorted_us.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted_us.size());
  return sorted_us[rank - 1] / 1000.0;
}

LatencyPercentiles ComputeLatencyPercentiles(std::vector<uint32_t>& samples_us) {
  std::sort(samples_us.begin(), samples_us.end());
  LatencyPercentiles out;
  if (samples_us.empty()) return out;
  out.p50_ms = PercentileMs(samples_us, 0.50);
  out.p90_ms = PercentileMs(samples_us, 0.90);
  out.p99_ms = PercentileMs(samples_us, 0.99);
  out.max_ms = samples_us.back() / 1000.0;
  double sum = 0;
  for (uint32_t us : samples_us) sum += us;
  out.mean_ms = sum / static_cast<double>(samples_us.size()) / 1000.0;
  return out;
}

}  // namespace segue
