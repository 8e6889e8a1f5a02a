#include "recommend/retrieval_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace segue::recommend {
namespace {

std::vector<Candidate> Ranked(const std::vector<uint32_t>& tracks) {
  std::vector<Candidate> out;
  for (uint32_t t : tracks) out.push_back({t, 0.f});
  return out;
}

TEST(RetrievalMetricsTest, OneTargetAtRankThree) {
  const std::vector<uint32_t> target = {9};
  const MetricValues v = ScoreQuery(Ranked({5, 3, 9, 4}), target);
  EXPECT_EQ(v[kRecall10], 1.0);
  EXPECT_EQ(v[kRecall100], 1.0);
  EXPECT_DOUBLE_EQ(v[kNdcg10], 0.5);  // 1 / log2(3 + 1)
  EXPECT_DOUBLE_EQ(v[kMrr], 1.0 / 3);
  EXPECT_EQ(v[kRPrecision], 0.0);  // R = 1: only rank 1 counts
}

TEST(RetrievalMetricsTest, TwoTargetsOneBeyondTen) {
  std::vector<uint32_t> list = {3};
  for (uint32_t t = 100; t < 110; ++t) list.push_back(t);
  list.push_back(7);  // rank 12
  const std::vector<uint32_t> targets = {7, 3};
  const MetricValues v = ScoreQuery(Ranked(list), targets);
  EXPECT_EQ(v[kRecall10], 0.5);
  EXPECT_EQ(v[kRecall50], 1.0);
  EXPECT_DOUBLE_EQ(v[kNdcg10], 1.0 / (1.0 + 1.0 / std::log2(3.0)));
  EXPECT_EQ(v[kMrr], 1.0);
  EXPECT_EQ(v[kRPrecision], 0.5);  // R = 2: {3, 100} holds one target
}

TEST(RetrievalMetricsTest, MissIsZero) {
  const std::vector<uint32_t> target = {42};
  const MetricValues v = ScoreQuery(Ranked({1, 2}), target);
  for (double x : v) EXPECT_EQ(x, 0.0);
}

TEST(RetrievalMetricsTest, MeansAreOverQueriesAndTheIntervalOverGroups) {
  MetricAccumulator acc;
  MetricValues hit{}, miss{};
  hit.fill(1.0);
  acc.Add(1, hit);
  acc.Add(1, hit);
  acc.Add(1, hit);
  acc.Add(2, miss);
  const MetricSummary s = acc.Summarize(500, 7);
  EXPECT_EQ(s.queries, 4u);
  EXPECT_EQ(s.groups, 2u);
  EXPECT_DOUBLE_EQ(s.mean[kRecall10], 0.75);
  // Resampling listeners: all of group 1 (1.0), all of group 2 (0.0), or a mix.
  EXPECT_EQ(s.ci_low[kRecall10], 0.0);
  EXPECT_EQ(s.ci_high[kRecall10], 1.0);

  MetricAccumulator one;
  one.Add(5, hit);
  const MetricSummary single = one.Summarize(500, 7);
  EXPECT_EQ(single.mean[kMrr], 1.0);
  EXPECT_TRUE(std::isnan(single.ci_low[kMrr]));  // one listener: no interval
  EXPECT_TRUE(std::isnan(MetricAccumulator().Summarize(10, 1).mean[kMrr]));
}

}  // namespace
}  // namespace segue::recommend
