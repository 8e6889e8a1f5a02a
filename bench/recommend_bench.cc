// Cost of the recommendation path around the retriever (docs/benchmarks.md "Recommendation path").
//
// A catalog of 100,000 tracks (10,000 artists); the retriever is a stand-in that copies a precomputed
// list of 200 candidates, so every figure is the pipeline's own cost on top of a real retriever's.
//  - BM_RetrieverOnly: the stand-in's Retrieve call alone (the baseline).
//  - BM_Recommend/model: Recommender::Recommend with a cache miss every time (the session version moves):
//    hand-off to the model worker pool and wait, rank (pass-through), explicit + freshness + artist-cap
//    filters, top 10, rec_id, impression record, metrics.
//  - BM_Recommend/cache: the same listener and session version again: cache hit, filters, top 10.
//  - BM_Recommend/fallback: no model loaded: stale-cache miss, then popular within genres.
//  - BM_Recommend/mmr: as model, with diversity=mmr over 64-d embeddings.
//  - BM_Handler: GET /v1/users/{id}/recommendations through RecommendationsHandler (session copy from
//    the tracker, query parsing, Recommend, JSON), without sockets; cache hits.
// Wall time (UseRealTime): the model path waits on another thread.
#include <benchmark/benchmark.h>

#include <random>

#include "recommend/recommender.h"
#include "serving/listener_state.h"
#include "serving/recommendations_handler.h"
#include "session/session_tracker.h"

namespace segue::recommend {
namespace {

constexpr int kTracks = 100'000;
constexpr int kCandidates = 200;
constexpr int kDim = 64;

class CopyingRetriever : public Retriever {
 public:
  CopyingRetriever(std::string name, std::vector<Candidate> list) : name_(std::move(name)), list_(std::move(list)) {}
  std::string_view name() const override { return name_; }
  Status Retrieve(const RetrievalQuery&, size_t n, std::vector<Candidate>* out) const override {
    out->assign(list_.begin(), list_.begin() + static_cast<std::ptrdiff_t>(std::min(n, list_.size())));
    return Status::Ok();
  }

 private:
  std::string name_;
  std::vector<Candidate> list_;
};

class TableEmbeddings : public EmbeddingLookup {
 public:
  explicit TableEmbeddings(size_t rows) : table_(rows * kDim) {
    std::mt19937 rng(7);
    std::normal_distribution<float> g;
    for (float& v : table_) v = g(rng) / 8.f;  // roughly unit length over 64 dims
  }
  int dim() const override { return kDim; }
  const float* Find(uint32_t track) const override { return &table_[(track % (table_.size() / kDim)) * kDim]; }

 private:
  std::vector<float> table_;
};

struct World {
  Catalog catalog;
  std::vector<uint32_t> ids;
  std::shared_ptr<CopyingRetriever> model, popular;
  SessionState session;

  World() {
    std::mt19937 rng(1);
    for (int i = 0; i < kTracks; ++i) {
      Track t;
      t.track_id = "track" + std::to_string(i);
      t.artist = "artist" + std::to_string(i % 10'000);
      t.explicit_content = i % 10 == 0;
      catalog.Upsert(t);
      ids.push_back(catalog.FindTrack(t.track_id));
    }
    std::vector<Candidate> list;
    for (int i = 0; i < kCandidates; ++i) list.push_back({ids[rng() % kTracks], static_cast<float>(kCandidates - i)});
    model = std::make_shared<CopyingRetriever>("two_tower", list);
    popular = std::make_shared<CopyingRetriever>("genre_popular", list);
    session.user_id = "u1";
    session.last_seq = 1;
    for (int i = 0; i < 32; ++i) {
      PlayRecord p;
      p.track = list[static_cast<size_t>(i) * 3].track;
      p.end = i % 4 == 0 ? PlayEnd::kSkipped : PlayEnd::kCompleted;
      session.plays.push_back(p);
    }
  }
};

World& TheWorld() {
  static World w;
  return w;
}

void BM_RetrieverOnly(benchmark::State& state) {
  World& w = TheWorld();
  std::vector<Candidate> out;
  RetrievalQuery q{"u1", &w.session, nullptr, 0};
  for (auto _ : state) {
    benchmark::DoNotOptimize(w.model->Retrieve(q, kCandidates, &out));
  }
}
BENCHMARK(BM_RetrieverOnly)->UseRealTime();

enum Path { kModel, kCache, kFallback, kMmr };

void BM_Recommend(benchmark::State& state) {
  World& w = TheWorld();
  const Path path = static_cast<Path>(state.range(0));
  metrics::Registry registry;
  Recommender rec(RecommendConfig{}, RecommenderDeps{&w.catalog, w.popular, w.popular, w.popular, nullptr, nullptr, &registry});
  if (path != kFallback) rec.SetModel({w.model, nullptr, std::make_shared<TableEmbeddings>(kTracks), {}});
  SessionState session = w.session;
  RecommendRequest r;
  r.user_id = "u1";
  r.session = &session;
  r.k = 10;
  if (path == kMmr) r.filters.diversity = DiversityMode::kMmr;
  if (path == kCache) rec.Recommend(r);  // fills the cache
  std::string source;
  for (auto _ : state) {
    if (path != kCache) ++session.last_seq;
    Recommendation out = rec.Recommend(r);
    benchmark::DoNotOptimize(out.items.data());
    if (source.empty()) source = out.source;
  }
  state.SetLabel(source);
}
BENCHMARK(BM_Recommend)->Arg(kModel)->Arg(kCache)->Arg(kFallback)->Arg(kMmr)->UseRealTime();

void BM_Handler(benchmark::State& state) {
  World& w = TheWorld();
  metrics::Registry registry;
  Recommender rec(RecommendConfig{}, RecommenderDeps{&w.catalog, w.popular, w.popular, w.popular, nullptr, nullptr, &registry});
  rec.SetModel({w.model, nullptr, nullptr, {{"retriever", "bench"}}});
  SessionTracker tracker(&w.catalog);
  tracker.RestoreSession(w.session);
  serving::TrackerListenerState listener_state(&tracker, nullptr);
  serving::RecommendationsHandler handler(&rec, &listener_state);
  size_t bytes = 0;
  for (auto _ : state) {
    serving::HttpRequest req;
    req.target = "/v1/users/u1/recommendations?k=10&explain=true";
    handler.Handle(std::move(req), {"u1"}, [&](serving::HttpResponse resp) { bytes = resp.body.size(); });
  }
  state.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Handler)->UseRealTime();

}  // namespace
}  // namespace segue::recommend

BENCHMARK_MAIN();
