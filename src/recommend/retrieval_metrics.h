// Ranking metrics of `segue eval retrieval`, per query and aggregated with bootstrap intervals.
//
// Per query (a ranked candidate list, best first, and the distinct target tracks):
//  - recall@K: share of the targets in the first K (one target: a hit rate);
//  - ndcg@10: binary-relevance DCG of the first 10 over the ideal DCG for that many targets;
//  - mrr: 1 / rank of the first target within the list (0 when none is in it: MRR@len(list));
//  - r_precision: share of the targets in the first R, R = number of targets (RecSys Challenge 2018);
//    meaningful for playlists; for single-target queries it equals recall@1 and is reported as null.
// Aggregation: mean over queries; the 95% interval is a percentile bootstrap over groups (listeners or
// playlists), resampling whole groups with their queries, so listeners with many queries do not make
// the interval look tighter than the number of listeners supports.
// Thread-safety: plain values and functions; MetricAccumulator is not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recommend/retriever.h"

namespace segue::recommend {

enum Metric : size_t { kRecall10, kRecall50, kRecall100, kNdcg10, kMrr, kRPrecision, kMetricCount };
inline constexpr std::array<std::string_view, kMetricCount> kMetricNames = {
    "recall@10", "recall@50", "recall@100", "ndcg@10", "mrr", "r_precision"};

using MetricValues = std::array<double, kMetricCount>;

// `targets` must be distinct.
MetricValues ScoreQuery(std::span<const Candidate> ranked, std::span<const uint32_t> targets);

struct MetricSummary {
  size_t queries = 0;
  size_t groups = 0;                // groups with at least one query
  MetricValues mean{};              // NaN when there are no queries
  MetricValues ci_low{}, ci_high{};  // NaN when not computed (fewer than 2 groups)
};

class MetricAccumulator {
 public:
  // Queries of one group must be added with the same group id (any uint32).
  void Add(uint32_t group, const MetricValues& values);
  // `resamples` bootstrap draws (0: no interval), deterministic for a seed.
  MetricSummary Summarize(int resamples, uint64_t seed) const;

 private:
  struct Group {
    size_t queries = 0;
    MetricValues sums{};
  };
  std::vector<Group> groups_;  // in order of first query
  std::unordered_map<uint32_t, size_t> index_;
};

}  // namespace segue::recommend
