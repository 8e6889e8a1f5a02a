#include "recommend/retrieval_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace segue::recommend {

MetricValues ScoreQuery(std::span<const Candidate> ranked, std::span<const uint32_t> targets) {
  MetricValues v{};
  if (targets.empty()) return v;
  const double t = static_cast<double>(targets.size());
  size_t hits10 = 0, hits50 = 0, hits100 = 0, hits_r = 0;
  double dcg = 0;
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (std::find(targets.begin(), targets.end(), ranked[i].track) == targets.end()) continue;
    const size_t rank = i + 1;
    if (v[kMrr] == 0) v[kMrr] = 1.0 / static_cast<double>(rank);
    hits10 += rank <= 10;
    hits50 += rank <= 50;
    hits100 += rank <= 100;
    hits_r += rank <= targets.size();
    if (rank <= 10) dcg += 1.0 / std::log2(static_cast<double>(rank) + 1);
  }
  double ideal = 0;
  for (size_t r = 1; r <= std::min<size_t>(10, targets.size()); ++r) ideal += 1.0 / std::log2(static_cast<double>(r) + 1);
  v[kRecall10] = static_cast<double>(hits10) / t;
  v[kRecall50] = static_cast<double>(hits50) / t;
  v[kRecall100] = static_cast<double>(hits100) / t;
  v[kNdcg10] = dcg / ideal;
  v[kRPrecision] = static_cast<double>(hits_r) / t;
  return v;
}

void MetricAccumulator::Add(uint32_t group, const MetricValues& values) {
  auto [it, inserted] = index_.try_emplace(group, groups_.size());
  if (inserted) groups_.push_back({});
  Group& g = groups_[it->second];
  ++g.queries;
  for (size_t m = 0; m < kMetricCount; ++m) g.sums[m] += values[m];
}

MetricSummary MetricAccumulator::Summarize(int resamples, uint64_t seed) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  MetricSummary s;
  s.mean.fill(kNaN);
  s.ci_low.fill(kNaN);
  s.ci_high.fill(kNaN);
  s.groups = groups_.size();
  MetricValues sums{};
  for (const Group& g : groups_) {
    s.queries += g.queries;
    for (size_t m = 0; m < kMetricCount; ++m) sums[m] += g.sums[m];
  }
  if (s.queries == 0) return s;
  for (size_t m = 0; m < kMetricCount; ++m) s.mean[m] = sums[m] / static_cast<double>(s.queries);
  if (resamples <= 0 || groups_.size() < 2) return s;

  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, groups_.size() - 1);
  std::array<std::vector<double>, kMetricCount> draws;
  for (int r = 0; r < resamples; ++r) {
    MetricValues rs{};
    size_t queries = 0;
    for (size_t i = 0; i < groups_.size(); ++i) {
      const Group& g = groups_[pick(rng)];
      queries += g.queries;
      for (size_t m = 0; m < kMetricCount; ++m) rs[m] += g.sums[m];
    }
    if (queries == 0) continue;
    for (size_t m = 0; m < kMetricCount; ++m) draws[m].push_back(rs[m] / static_cast<double>(queries));
  }
  for (size_t m = 0; m < kMetricCount; ++m) {
    std::vector<double>& d = draws[m];
    if (d.empty()) continue;
    std::sort(d.begin(), d.end());
    auto at = [&](double q) { return d[static_cast<size_t>(q * static_cast<double>(d.size() - 1))]; };
    s.ci_low[m] = at(0.025);
    s.ci_high[m] = at(0.975);
  }
  return s;
}

}  // namespace segue::recommend
