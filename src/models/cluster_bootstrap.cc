#include "models/cluster_bootstrap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <unordered_map>

namespace segue {

Interval Percentile95(std::vector<double> values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (values.empty()) return {kNaN, kNaN};
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(values.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
  };
  return {at(0.025), at(0.975)};
}

ClusterBootstrap::ClusterBootstrap(std::span<const uint32_t> cluster_of, int resamples, uint64_t seed)
    : resamples_(resamples), seed_(seed) {
  std::unordered_map<uint32_t, uint32_t> dense;
  for (size_t i = 0; i < cluster_of.size(); ++i) {
    auto [it, inserted] = dense.try_emplace(cluster_of[i], static_cast<uint32_t>(members_.size()));
    if (inserted) members_.emplace_back();
    members_[it->second].push_back(static_cast<uint32_t>(i));
  }
}

void ClusterBootstrap::ForEachResample(const std::function<void(int, std::span<const uint32_t>)>& visit) const {
  if (members_.empty()) return;
  std::vector<uint32_t> examples;
  for (int b = 0; b < resamples_; ++b) {
    // One generator per resample, seeded from (seed, b): resample b does not depend on the others.
    std::mt19937_64 rng(seed_ * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(b) + 1);
    std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(members_.size() - 1));
    examples.clear();
    for (size_t n = 0; n < members_.size(); ++n) {
      const std::vector<uint32_t>& cluster = members_[pick(rng)];
      examples.insert(examples.end(), cluster.begin(), cluster.end());
    }
    visit(b, examples);
  }
}

}  // namespace segue
