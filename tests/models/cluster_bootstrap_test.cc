// The bootstrap intervals and paired differences of the disengagement evaluation, on cases with a
// known answer.
#include "models/cluster_bootstrap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/disengagement_eval.h"

namespace segue {
namespace {

TEST(Percentile95, InterpolatesTheCentralNinetyFivePercentAndSkipsNaN) {
  std::vector<double> v;
  for (int i = 0; i <= 100; ++i) v.push_back(i);
  v.push_back(std::nan(""));
  const Interval i = Percentile95(v);
  EXPECT_DOUBLE_EQ(i.lo, 2.5);
  EXPECT_DOUBLE_EQ(i.hi, 97.5);
  EXPECT_TRUE(std::isnan(Percentile95({std::nan("")}).lo));
}

TEST(ClusterBootstrap, DrawsWholeClustersReproducibly) {
  const std::vector<uint32_t> cluster_of = {7, 7, 7, 9, 9, 4};
  const ClusterBootstrap a(cluster_of, 20, 3), b(cluster_of, 20, 3);
  EXPECT_EQ(a.clusters(), 3u);
  std::vector<std::vector<uint32_t>> first;
  a.ForEachResample([&](int, std::span<const uint32_t> examples) {
    // Three clusters drawn, each with all of its examples: cluster 7 is examples 0-2, 9 is 3-4, 4 is 5.
    size_t drawn = 0;
    for (size_t i = 0; i < examples.size(); drawn++) {
      const size_t size = examples[i] == 0 ? 3 : examples[i] == 3 ? 2 : 1;
      ASSERT_TRUE(examples[i] == 0 || examples[i] == 3 || examples[i] == 5);
      for (size_t k = 0; k < size; ++k) EXPECT_EQ(examples[i + k], examples[i] + k);
      i += size;
    }
    EXPECT_EQ(drawn, 3u);
    first.emplace_back(examples.begin(), examples.end());
  });
  int b_index = 0;
  b.ForEachResample([&](int, std::span<const uint32_t> examples) {
    EXPECT_EQ(std::vector<uint32_t>(examples.begin(), examples.end()), first[b_index++]);
  });
  EXPECT_NE(first[0], first[1]) << "resamples differ";
}

// A table of `sessions` sessions of 4 points each (2 negative, then 2 positive), one listener each.
EvalTable Table(uint32_t sessions) {
  EvalTable t;
  for (uint32_t s = 0; s < sessions; ++s) {
    for (int p = 0; p < 4; ++p) {
      ExampleInfo info;
      info.user = s;
      info.session = s;
      info.ts_ms = p * 60'000;
      info.label = p >= 2 ? 1 : 0;
      info.session_plays = 4;  // the point after play p: the WSDM metrics predict plays 2 and 3 (p = 1, 2)
      info.ended_play = p;
      info.next_play_skipped = p < 3 ? static_cast<int8_t>((s + static_cast<uint32_t>(p)) % 2) : -1;
      t.info.push_back(info);
    }
  }
  return t;
}

ScoredSplit Scored(const EvalTable& t, const std::map<std::string, std::vector<float>>& models) {
  ScoredSplit s;
  s.split = "test";
  for (size_t i = 0; i < t.info.size(); ++i) s.eval.push_back(i);
  for (const auto& [name, prob] : models) {
    SkipDecisions skip;
    for (size_t i = 0; i < prob.size(); ++i) skip.push_back(static_cast<int8_t>(i % 3 == 0));
    s.models[name] = {prob, std::vector<float>(prob.size(), 0.5f), skip};
  }
  return s;
}

TEST(ReportScores, PerfectSeparationGivesTheIntervalOneToOne) {
  const EvalTable t = Table(30);
  std::vector<float> perfect;
  for (const ExampleInfo& i : t.info) perfect.push_back(i.label ? 0.9f : 0.1f);
  EvalOptions o;
  o.resamples = 200;
  const SplitReport r = ReportScores(t, Scored(t, {{"logistic", perfect}}), o);
  const ModelReport& m = r.models.at("logistic");
  EXPECT_DOUBLE_EQ(m.roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(m.ci95.at("roc_auc").lo, 1.0);
  EXPECT_DOUBLE_EQ(m.ci95.at("roc_auc").hi, 1.0);
  EXPECT_DOUBLE_EQ(m.ci95.at("pr_auc").lo, 1.0);
  EXPECT_DOUBLE_EQ(m.recall_at_threshold, 1.0);
  EXPECT_EQ(r.sessions, 30u);
  EXPECT_EQ(m.mssd_sessions, 30u);
  EXPECT_EQ(r.resamples, 200);
}

TEST(ReportScores, AConstantScoreGivesOneHalf) {
  const EvalTable t = Table(30);
  EvalOptions o;
  o.resamples = 200;
  const SplitReport r = ReportScores(t, Scored(t, {{"heuristic", std::vector<float>(t.info.size(), 0.3f)}}), o);
  const ModelReport& m = r.models.at("heuristic");
  EXPECT_DOUBLE_EQ(m.roc_auc, 0.5);
  EXPECT_DOUBLE_EQ(m.ci95.at("roc_auc").lo, 0.5);
  EXPECT_DOUBLE_EQ(m.ci95.at("roc_auc").hi, 0.5);
}

TEST(ReportScores, IdenticalModelsDifferByAnIntervalAroundZero) {
  const EvalTable t = Table(40);
  std::vector<float> noisy;  // some signal, not perfect
  for (size_t i = 0; i < t.info.size(); ++i) noisy.push_back(static_cast<float>((i * 37) % 11) / 11.0f + 0.2f * t.info[i].label);
  EvalOptions o;
  o.resamples = 300;
  const SplitReport r = ReportScores(t, Scored(t, {{"transformer", noisy}, {"logistic", noisy}}), o);
  ASSERT_EQ(r.reference, "transformer");
  const PairedDifference& d = r.paired.at("logistic");
  // Paired: both models are measured on the same resample, so every resampled difference is exactly 0.
  for (const char* metric : {"roc_auc", "pr_auc", "mssd_first_half_mean_average_accuracy"}) {
    EXPECT_DOUBLE_EQ(d.point.at(metric), 0.0) << metric;
    EXPECT_DOUBLE_EQ(d.ci95.at(metric).lo, 0.0) << metric;
    EXPECT_DOUBLE_EQ(d.ci95.at(metric).hi, 0.0) << metric;
  }
  // And the model's own interval is a real interval (the resamples differ).
  EXPECT_LT(r.models.at("logistic").ci95.at("roc_auc").lo, r.models.at("logistic").ci95.at("roc_auc").hi);
}

// Two listeners, one where the model ranks perfectly and one where it ranks backwards: by session the
// interval is narrow, by listener it spans both listeners' worlds.
TEST(ReportScores, ListenerBootstrapIsWiderWhenListenersDiffer) {
  EvalTable t = Table(40);
  std::vector<float> prob;
  for (ExampleInfo& i : t.info) {
    i.user = i.session % 2;
    prob.push_back(i.user == 0 ? (i.label ? 0.9f : 0.1f) : (i.label ? 0.4f : 0.6f));
  }
  EvalOptions o;
  o.resamples = 300;
  const Interval by_session = ReportScores(t, Scored(t, {{"logistic", prob}}), o).models.at("logistic").ci95.at("roc_auc");
  o.bootstrap_unit = kBootstrapByListener;
  const SplitReport r = ReportScores(t, Scored(t, {{"logistic", prob}}), o);
  const Interval by_listener = r.models.at("logistic").ci95.at("roc_auc");
  EXPECT_EQ(r.bootstrap_unit, "listener");
  EXPECT_GT(by_listener.hi - by_listener.lo, 2 * (by_session.hi - by_session.lo));
}

TEST(ReportScores, ABetterServedModelHasAPairedIntervalAboveZero) {
  const EvalTable t = Table(40);
  std::vector<float> good, weak;
  for (size_t i = 0; i < t.info.size(); ++i) {
    good.push_back(t.info[i].label ? 0.8f : 0.2f);
    weak.push_back(static_cast<float>((i * 37) % 11) / 11.0f + 0.2f * t.info[i].label);
  }
  EvalOptions o;
  o.resamples = 300;
  const SplitReport r = ReportScores(t, Scored(t, {{"transformer", good}, {"xgboost", weak}}), o);
  EXPECT_GT(r.paired.at("xgboost").ci95.at("roc_auc").lo, 0.0);
}

}  // namespace
}  // namespace segue
