// Cost of the ranking stage on one request's 200 candidates (docs/benchmarks.md "Ranking stage"), the
// pass-through ranker being the baseline in the same run.
//
// A catalog of 100,000 tracks (10,000 artists, 7 genres); the listener's history holds 500 tracks (the
// server's bound), the session 30 plays; the 200 candidates mix 100 tracks of the history with 100 new.
// The model has the default training shape (segue train ranker: 100 rounds, depth 4) and is fitted on
// random rows: prediction cost depends on the trees' shape, not on what they learned.
//  - BM_Rank/pass_through: Rerank with PassThroughRanker (copy the scores, stable sort).
//  - BM_Rank/features: RankerFeatures alone.
//  - BM_Rank/xgboost: Rerank with XgboostRanker (features, one DMatrix, one predict call, sort).
#include <benchmark/benchmark.h>

#include <random>

#include "recommend/pass_through_ranker.h"
#include "recommend/ranker_features.h"
#include "recommend/ranker_training.h"
#include "recommend/xgboost_ranker.h"

namespace segue::recommend {
namespace {

constexpr int kTracks = 100'000;
constexpr int kCandidates = 200;
constexpr int64_t kNow = 1'790'000'000'000;
const char* const kGenres[] = {"pop", "rock", "hip hop", "electronic", "r&b", "latin", "jazz"};

struct Fixture {
  Catalog catalog;
  std::vector<uint32_t> ids;
  ListenerHistory history;
  SessionState session;
  std::vector<Candidate> candidates;
  std::unique_ptr<XgboostRanker> xgboost;

  Fixture() {
    std::mt19937 rng(5);
    for (int i = 0; i < kTracks; ++i) {
      Track t;
      t.track_id = "t";  // appended, not "t" + to_string: GCC 12 warns falsely (-Wrestrict) on the latter
      t.track_id += std::to_string(i);
      t.artist = "artist";
      t.artist += std::to_string(i % 10'000);
      t.genres = {kGenres[i % 7]};
      t.popularity = static_cast<float>(i % 100);
      catalog.Upsert(t);
      ids.push_back(catalog.FindTrack(t.track_id));
    }
    for (int i = 0; i < 500; ++i) {
      history.tracks.push_back({ids[rng() % kTracks], 1 + static_cast<uint32_t>(rng() % 9), 1, 0, kNow - 3'600'000});
    }
    for (int i = 0; i < 30; ++i) {
      PlayRecord p;
      p.track = ids[rng() % kTracks];
      p.end = i % 4 ? PlayEnd::kCompleted : PlayEnd::kSkipped;
      session.plays.push_back(p);
    }
    for (int i = 0; i < kCandidates; ++i) {
      const uint32_t track = i % 2 ? history.tracks[static_cast<size_t>(i)].track : ids[rng() % kTracks];
      candidates.push_back({track, static_cast<float>(kCandidates - i)});
    }
    xgboost = std::make_unique<XgboostRanker>(&catalog, RandomModel());
  }

  static XgbBooster RandomModel() {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0, 1);
    std::vector<float> rows;
    std::vector<uint8_t> labels;
    for (int i = 0; i < 20'000; ++i) {
      for (int f = 0; f < kRankerFeatureCount; ++f) rows.push_back(u(rng));
      labels.push_back(u(rng) < 0.3f ? 1 : 0);
    }
    Result<XgbBooster> b =
        XgbBooster::Fit({rows.data(), labels.size(), kRankerFeatureCount}, labels, RankerTrainingOptions{}.params);
    if (!b.ok()) std::abort();
    return std::move(*b);
  }

  RetrievalQuery query() const { return {"u", &session, &history, kNow}; }
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

enum Mode { kPassThrough = 0, kFeatures = 1, kXgboost = 2 };

void BM_Rank(benchmark::State& state) {
  Fixture& f = Shared();
  static const PassThroughRanker pass_through;
  const RetrievalQuery query = f.query();
  std::vector<Candidate> candidates;
  std::vector<float> features;
  for (auto _ : state) {
    candidates = f.candidates;
    switch (state.range(0)) {
      case kPassThrough: benchmark::DoNotOptimize(Rerank(pass_through, query, &candidates)); break;
      case kFeatures: RankerFeatures(f.catalog, query, candidates, &features); break;
      default: benchmark::DoNotOptimize(Rerank(*f.xgboost, query, &candidates)); break;
    }
    benchmark::DoNotOptimize(candidates.data());
  }
  state.SetLabel(state.range(0) == kPassThrough ? "pass_through" : state.range(0) == kFeatures ? "features" : "xgboost");
}
BENCHMARK(BM_Rank)->Arg(kPassThrough)->Arg(kFeatures)->Arg(kXgboost)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace segue::recommend

BENCHMARK_MAIN();
