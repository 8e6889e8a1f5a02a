// Cost of the retrieval baselines on the serving path: Retrieve (200 candidates, a 10-play session, a
// 200-track listener history) for each baseline, and the online update per committed engaged play
// (RetrievalBaselines::ObservePlay: popularity counts + session-kNN co-occurrence). The global
// popularity list (a copy of a precomputed top list) is the reference in the same run.
// Fitted on synthetic sessions over a 100,000-track catalog with Zipf-like track popularity.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "recommend/retrieval_baselines.h"

namespace segue::recommend {
namespace {

constexpr int kTracks = 100'000;
constexpr int kSessions = 30'000;
constexpr int kPlaysPerSession = 10;

// snprintf rather than string concatenation: GCC 12 -O3 reports a false -Wrestrict on the latter.
std::string Name(const char* prefix, int i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%d", prefix, i);
  return buf;
}

// Track ids 1..kTracks, rank r drawn with probability ∝ 1/r (inverse CDF of a log-uniform).
uint32_t ZipfTrack(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  return 1 + static_cast<uint32_t>(std::exp(u(rng) * std::log(static_cast<double>(kTracks)))) % kTracks;
}

PlayRecord Completed(uint32_t track, size_t i) {
  PlayRecord p;
  p.track = track;
  p.start_offset_ms = static_cast<uint32_t>(i) * 200'000;
  p.dwell_ms = 200'000;
  p.end = PlayEnd::kCompleted;
  return p;
}

struct Fitted {
  Catalog catalog;
  std::unique_ptr<RetrievalBaselines> baselines;
  SessionState query_session;
  ListenerHistory history;
  std::mt19937_64 rng{7};

  Fitted() {
    const char* genres[] = {"pop", "rock", "hip hop", "edm", "r&b", "latin"};
    for (int i = 0; i < kTracks; ++i) {
      Track t;
      t.track_id = Name("t", i);
      t.artist = Name("a", i / 10);
      t.genres = {genres[i % 6]};
      catalog.Upsert(t);
    }
    baselines = std::make_unique<RetrievalBaselines>(&catalog);
    for (int s = 0; s < kSessions; ++s) {
      SessionState session;
      for (size_t i = 0; i < kPlaysPerSession; ++i) {
        session.plays.push_back(Completed(ZipfTrack(rng), i));
        baselines->ObservePlay(session, session.plays.back());
      }
    }
    for (size_t i = 0; i < kPlaysPerSession; ++i) query_session.plays.push_back(Completed(ZipfTrack(rng), i));
    for (uint32_t i = 0; i < 200; ++i) history.tracks.push_back({ZipfTrack(rng), 3, 2, 1, i * 3'600'000LL});
  }
};

Fitted& Shared() {
  static Fitted f;
  return f;
}

void Run(benchmark::State& st, const Retriever& r) {
  Fitted& f = Shared();
  RetrievalQuery q;
  q.session = &f.query_session;
  q.history = &f.history;
  q.now_ms = 10 * 24 * 3'600'000LL;  // hour 0, when the fitted plays happened
  std::vector<Candidate> out;
  for (auto _ : st) {
    benchmark::DoNotOptimize(r.Retrieve(q, 200, &out));
    benchmark::DoNotOptimize(out.data());
  }
  st.counters["candidates"] = static_cast<double>(out.size());
}

void BM_Retrieve_Popularity(benchmark::State& st) { Run(st, Shared().baselines->popularity()); }
void BM_Retrieve_GenrePopularity(benchmark::State& st) { Run(st, Shared().baselines->genre_popularity()); }
void BM_Retrieve_HourPopularity(benchmark::State& st) { Run(st, Shared().baselines->hour_popularity()); }
void BM_Retrieve_SessionKnn(benchmark::State& st) { Run(st, Shared().baselines->session_knn()); }
void BM_Retrieve_Artist(benchmark::State& st) { Run(st, Shared().baselines->artist()); }
void BM_Retrieve_OwnHistory(benchmark::State& st) { Run(st, Shared().baselines->own_history()); }
void BM_Retrieve_Blend(benchmark::State& st) { Run(st, Shared().baselines->blend()); }
BENCHMARK(BM_Retrieve_Popularity);
BENCHMARK(BM_Retrieve_GenrePopularity);
BENCHMARK(BM_Retrieve_HourPopularity);
BENCHMARK(BM_Retrieve_SessionKnn);
BENCHMARK(BM_Retrieve_Artist);
BENCHMARK(BM_Retrieve_OwnHistory);
BENCHMARK(BM_Retrieve_Blend);

// One committed engaged play folded into the fitted baselines (what the pipeline would add per event).
void BM_ObservePlay(benchmark::State& st) {
  Fitted& f = Shared();
  SessionState session;
  for (size_t i = 0; i < kPlaysPerSession; ++i) session.plays.push_back(Completed(ZipfTrack(f.rng), i));
  size_t i = 0;
  for (auto _ : st) {
    session.plays[i % kPlaysPerSession].track = ZipfTrack(f.rng);
    f.baselines->ObservePlay(session, session.plays[i % kPlaysPerSession]);
    ++i;
  }
}
BENCHMARK(BM_ObservePlay);

}  // namespace
}  // namespace segue::recommend

BENCHMARK_MAIN();
