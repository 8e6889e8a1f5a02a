// What monitoring adds per event on the pipeline path, each against the work it sits beside in the same
// run:
//  - EngagementDrift (every applied event reaches it; plays ended and sessions started/exited update the
//    rolling rates): LiveScoring over a simulated day with it, against the tracker alone.
//  - ScoreDrift::Observe (every scored decision point): the existing score histogram's Observe with and
//    without it. The scorer's own work per decision point (the Transformer step) is in scoring_bench.
//  - ScoreDrift::Psi: what one scrape of segue_score_psi costs (not on the pipeline path).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "bench/simulated_events.h"
#include "catalog/catalog.h"
#include "common/metrics.h"
#include "models/live_scoring.h"
#include "models/score_drift.h"
#include "monitoring/engagement_drift.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

using bench::Events;
using bench::Feed;

BENCHMARK(bench::BM_TrackerOnly)->Name("BM_TrackerOnly")->Unit(benchmark::kMillisecond);

void BM_TrackerAndEngagementDrift(benchmark::State& st) {
  for (auto _ : st) {
    st.PauseTiming();
    Catalog catalog;
    SessionTracker tracker(&catalog);
    metrics::Registry registry;
    monitoring::EngagementDrift drift({}, &registry);
    LiveScoring live(&tracker, &catalog, nullptr, {}, {&drift});
    Feed(live, st);
    st.ResumeTiming();
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * Events().size()));
}
BENCHMARK(BM_TrackerAndEngagementDrift)->Unit(benchmark::kMillisecond);

const std::vector<float>& Scores() {
  static const std::vector<float> scores = [] {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::vector<float> s(4096);
    for (float& x : s) x = u(rng) * u(rng);  // skewed towards 0, like disengagement scores
    return s;
  }();
  return scores;
}

std::vector<double> ScorerBounds() {
  std::vector<double> bounds;
  for (int i = 1; i < kScoreHistogramBins; ++i) bounds.push_back(i * 0.05);
  return bounds;
}

void BM_ScoreHistogramObserve(benchmark::State& st) {
  metrics::Histogram histogram(ScorerBounds());
  size_t i = 0;
  for (auto _ : st) histogram.Observe(Scores()[i++ & 4095]);
}
BENCHMARK(BM_ScoreHistogramObserve);

void BM_ScoreHistogramAndDriftObserve(benchmark::State& st) {
  metrics::Histogram histogram(ScorerBounds());
  ScoreDrift drift;
  drift.SetReference(std::vector<uint64_t>(kScoreHistogramBins, 1));
  size_t i = 0;
  for (auto _ : st) {
    const float s = Scores()[i++ & 4095];
    histogram.Observe(s);
    drift.Observe(s);
  }
}
BENCHMARK(BM_ScoreHistogramAndDriftObserve);

void BM_ScorePsi(benchmark::State& st) {
  ScoreDrift drift;
  drift.SetReference(std::vector<uint64_t>(kScoreHistogramBins, 1));
  for (float s : Scores()) drift.Observe(s);
  for (auto _ : st) benchmark::DoNotOptimize(drift.Psi());
}
BENCHMARK(BM_ScorePsi);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
