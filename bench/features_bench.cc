// Cost of the model inputs: ComputeSessionFeatures on a full 32-play window (what the server pays per
// scored event before the model runs) and TabularFeatures (what the baselines add on top).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "catalog/catalog.h"
#include "features/session_features.h"

namespace segue {
namespace {

// snprintf rather than string concatenation: GCC 12 -O3 reports a false -Wrestrict on the latter.
std::string Name(const char* prefix, int i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%d", prefix, i);
  return buf;
}

struct Fixture {
  Catalog catalog;
  SessionState state;
  explicit Fixture(bool known) {
    for (int i = 0; i < 5000; ++i) {
      const std::string id = Name("track-", i);
      if (known) {
        Track t;
        t.track_id = id;
        t.artist = Name("artist-", i / 8);
        t.genres = {"pop"};
        t.language = "en";
        t.duration_ms = 200000;
        t.popularity = 40;
        t.audio_features.assign(12, 0.5f);
        catalog.Upsert(t);
      } else {
        catalog.InternTrack(id);
      }
    }
    state.start_ms = 1736121600000;
    for (int i = 0; i < 64; ++i) {
      const std::string id = Name("track-", i * 37 % 5000);
      state.plays.push_back({catalog.FindTrack(id), static_cast<uint32_t>(i) * 200000, 150000, 1000, 200000,
                             i % 3 ? PlayEnd::kCompleted : PlayEnd::kSkipped, 0, 0, 0});
    }
    state.last_event_ms = state.start_ms + 64 * 200000;
    state.counters.plays = 64;
  }
};

void BM_ComputeSessionFeatures(benchmark::State& st) {
  Fixture f(st.range(0) != 0);
  FeatureVector out;
  for (auto _ : st) {
    ComputeSessionFeatures(f.state, f.catalog, &out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_ComputeSessionFeatures)->Arg(1)->Arg(0)->ArgName("known_tracks");

void BM_TabularFeatures(benchmark::State& st) {
  Fixture f(true);
  const FeatureVector fv = ComputeSessionFeatures(f.state, f.catalog);
  for (auto _ : st) benchmark::DoNotOptimize(TabularFeatures(fv));
}
BENCHMARK(BM_TabularFeatures);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
