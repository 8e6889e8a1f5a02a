// Cost of scoring one disengagement decision point (docs/benchmarks.md "Disengagement scoring").
//
// Every benchmark scores windows of 32 plays (the steady state of a long session) with the default
// architecture (d_model 32, 2 layers, 4 heads) and random weights; the cost does not depend on the
// weights' values. Items = scored events, so "items_per_second" inverts to µs per scored event.
//  - BM_Incremental: the serving engine with a per-listener cache; each event appends one play to one of
//    `listeners` round-robin listeners (their caches stay warm, as in the server).
//  - BM_IncrementalOngoingThenEnded: two events per play (scored while ongoing, then when it ends).
//  - BM_ScorerService: DisengagementScorer::OnFeatures, i.e. the engine plus the listener map, LRU,
//    trigger policy and Prometheus metrics (the server's path minus feature computation).
//  - BM_FreshRecompute: the same engine without a cache: the whole window per event.
//  - BM_TorchFullForward/B: the LibTorch full forward, B sequences per call, one intra-op thread.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <vector>

#include "common/metrics.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_scorer.h"
#include "models/disengagement_trainer.h"
#include "models/incremental_encoder.h"
#include "random_steps.h"

namespace segue {
namespace {

// A listener's sliding 32-play window, advanced one play at a time.
struct Listener {
  FeatureVector window;
  void Advance(std::mt19937_64& rng) {
    if (window.length == kSequenceLength) {
      std::copy(window.steps.begin() + 1, window.steps.end(), window.steps.begin());
      --window.length;
    }
    window.steps[static_cast<size_t>(window.length++)] = RandomStep(rng);
    for (float& c : window.context) c = static_cast<float>(rng() % 100) / 100.f;
  }
};

struct Fixture {
  TransformerConfig config;
  TransformerWeights weights;
  std::shared_ptr<const IncrementalEncoder> encoder;
  Fixture() {
    // Weights from a one-epoch training run on a few windows: LibTorch's initialisation, exported through
    // the same path as a real bundle.
    std::mt19937_64 rng(1);
    std::vector<FeatureVector> x;
    std::vector<uint8_t> y;
    for (int i = 0; i < 64; ++i) {
      Listener l;
      for (int s = 0; s < 8; ++s) l.Advance(rng);
      x.push_back(l.window);
      y.push_back(static_cast<uint8_t>(i % 2));
    }
    TrainOptions options;
    options.max_epochs = 1;
    auto trained = TrainDisengagementTransformer(x, y, x, y, options);
    weights = trained->weights;
    encoder = *IncrementalEncoder::Create(config, weights);
  }
};
Fixture& F() {
  static Fixture f;
  return f;
}

std::vector<Listener> WarmListeners(int n, std::mt19937_64& rng) {
  std::vector<Listener> ls(static_cast<size_t>(n));
  for (Listener& l : ls) {
    for (int s = 0; s < kSequenceLength; ++s) l.Advance(rng);
  }
  return ls;
}

void BM_Incremental(benchmark::State& state) {
  std::mt19937_64 rng(2);
  const int n = static_cast<int>(state.range(0));
  std::vector<Listener> ls = WarmListeners(n, rng);
  std::vector<EncoderCache> caches(static_cast<size_t>(n), F().encoder->NewCache());
  for (int i = 0; i < n; ++i) F().encoder->Score(ls[static_cast<size_t>(i)].window, caches[static_cast<size_t>(i)]);
  size_t i = 0;
  uint64_t positions = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ls[i].Advance(rng);  // the next play (not timed)
    state.ResumeTiming();
    benchmark::DoNotOptimize(F().encoder->Score(ls[i].window, caches[i]));
    i = (i + 1) % static_cast<size_t>(n);
  }
  for (const EncoderCache& c : caches) positions += c.positions_computed;
  state.SetItemsProcessed(state.iterations());
  state.counters["positions_per_event"] =
      static_cast<double>(positions - static_cast<uint64_t>(n) * kSequenceLength) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Incremental)->Arg(1)->Arg(1000)->Arg(10000);

void BM_IncrementalOngoingThenEnded(benchmark::State& state) {
  std::mt19937_64 rng(3);
  std::vector<Listener> ls = WarmListeners(1000, rng);
  std::vector<EncoderCache> caches(ls.size(), F().encoder->NewCache());
  size_t i = 0;
  bool ongoing = true;
  for (auto _ : state) {
    state.PauseTiming();
    Listener& l = ls[i];
    if (ongoing) {
      l.Advance(rng);
      l.window.steps[static_cast<size_t>(l.window.length - 1)].end = 0;
    } else {
      l.window.steps[static_cast<size_t>(l.window.length - 1)] = RandomStep(rng);
    }
    state.ResumeTiming();
    benchmark::DoNotOptimize(F().encoder->Score(l.window, caches[i]));
    if (!ongoing) i = (i + 1) % ls.size();
    ongoing = !ongoing;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IncrementalOngoingThenEnded);

void BM_ScorerService(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("segue_scoring_bench_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  DisengagementBundle bundle;
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.architecture = F().config;
  bundle.weights = F().weights;
  bundle.threshold = 0.9f;
  if (!SaveBundle(bundle, (dir / "v1").string()).ok()) {
    state.SkipWithError("cannot write the bundle");
    return;
  }
  metrics::Registry registry;
  ScorerOptions options;
  options.registry = &registry;
  auto scorer = DisengagementScorer::Load(dir.string(), options);
  fs::remove_all(dir);
  if (!scorer.ok()) {
    state.SkipWithError(scorer.status().ToString().c_str());
    return;
  }
  std::mt19937_64 rng(4);
  std::vector<Listener> ls = WarmListeners(1000, rng);
  std::vector<std::string> users;
  for (size_t u = 0; u < ls.size(); ++u) users.push_back("user-" + std::to_string(u));
  for (size_t u = 0; u < ls.size(); ++u) (*scorer)->OnFeatures(users[u], 0, ls[u].window);
  size_t i = 0;
  int64_t ts = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ls[i].Advance(rng);
    state.ResumeTiming();
    benchmark::DoNotOptimize((*scorer)->OnFeatures(users[i], ts += 1000, ls[i].window));
    i = (i + 1) % ls.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScorerService);

void BM_FreshRecompute(benchmark::State& state) {
  std::mt19937_64 rng(5);
  std::vector<Listener> ls = WarmListeners(256, rng);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(F().encoder->ScoreFresh(ls[i].window));
    i = (i + 1) % ls.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FreshRecompute);

void BM_TorchFullForward(benchmark::State& state) {
  std::mt19937_64 rng(6);
  const int batch = static_cast<int>(state.range(0));
  std::vector<Listener> ls = WarmListeners(batch, rng);
  std::vector<FeatureVector> x;
  for (const Listener& l : ls) x.push_back(l.window);
  auto scorer = TorchScorer::Create(F().config, F().weights, /*threads=*/1);
  if (!scorer.ok()) {
    state.SkipWithError(scorer.status().ToString().c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize((*scorer)->Score(x, batch));
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_TorchFullForward)->Arg(1)->Arg(64)->Arg(256);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
