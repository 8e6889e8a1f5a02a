// Cost of the two-tower model's plain-C++ towers (default architecture: user Transformer d_model 32,
// 2 layers, 4 heads over a full 32-play window, 128 hidden, 64-d output), per call:
//  - BM_UserTowerFresh: UserEncoder::Embed with no listener cache: the whole window (the retrieval call).
//  - BM_UserTowerCached: the same listener's stream one play longer each call (a per-listener cache).
//  - BM_DisengagementFresh: the baseline in the same run, IncrementalEncoder::ScoreFresh of the
//    disengagement Transformer (same sequence encoder, smaller head) on the same windows.
//  - BM_SongTower: SongEncoder::EmbedTrack of a catalog track (what POST /v1/tracks adds per track).
// Weights come from a one-epoch training on a tiny synthetic set: only shapes matter for the cost.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "features/session_features.h"
#include "models/disengagement_trainer.h"
#include "models/incremental_encoder.h"
#include "models/two_tower_encoder.h"
#include "models/two_tower_trainer.h"
#include "random_steps.h"

namespace segue {
namespace {

constexpr int kWindows = 256;

// kWindows full windows of one growing stream: window i + 1 is window i plus one step.
std::vector<FeatureVector> Stream(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<StepFeatures> history;
  for (int i = 0; i < kSequenceLength; ++i) history.push_back(RandomStep(rng));
  std::vector<FeatureVector> out;
  for (int w = 0; w < kWindows; ++w) {
    FeatureVector fv;
    fv.length = kSequenceLength;
    std::copy(history.end() - kSequenceLength, history.end(), fv.steps.begin());
    for (float& c : fv.context) c = static_cast<float>(rng() % 100) / 100.f;
    out.push_back(fv);
    history.push_back(RandomStep(rng));
  }
  return out;
}

struct Models {
  std::shared_ptr<const UserEncoder> user;
  std::shared_ptr<const SongEncoder> song;
  std::shared_ptr<const IncrementalEncoder> disengagement;
  std::vector<FeatureVector> windows = Stream(7);
};

const Models& Get() {
  static const Models models = [] {
    Models m;
    std::vector<SongFeatures> songs;
    for (int i = 0; i < 64; ++i) {
      Track t;
      t.track_id = std::to_string(i);
      songs.push_back(ComputeSongFeatures(t, 0));
    }
    std::vector<RetrievalPair> pairs(256);
    for (size_t i = 0; i < pairs.size(); ++i) {
      pairs[i].user = m.windows[i % m.windows.size()];
      pairs[i].song = static_cast<uint32_t>(i % songs.size());
    }
    TwoTowerTrainOptions options;
    options.epochs = 1;
    Result<TwoTowerResult> trained = TrainTwoTower(songs, pairs, {}, options);
    m.user = *UserEncoder::Create(trained->architecture, trained->weights);
    m.song = *SongEncoder::Create(trained->architecture, trained->weights);
    std::vector<uint8_t> labels(m.windows.size());
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = i % 3 == 0;
    TrainOptions d;
    d.max_epochs = 1;
    Result<TrainResult> disengagement = TrainDisengagementTransformer(m.windows, labels, m.windows, labels, d);
    m.disengagement = *IncrementalEncoder::Create(disengagement->architecture, disengagement->weights);
    return m;
  }();
  return models;
}

void BM_UserTowerFresh(benchmark::State& state) {
  const Models& m = Get();
  std::vector<float> out(64);
  size_t i = 0;
  for (auto _ : state) {
    m.user->Embed(m.windows[i++ % kWindows], 3, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UserTowerFresh);

void BM_UserTowerCached(benchmark::State& state) {
  const Models& m = Get();
  std::vector<float> out(64);
  EncoderCache cache = m.user->NewCache();
  size_t i = 0;
  for (auto _ : state) {
    if (i % kWindows == 0) cache = m.user->NewCache();  // the stream restarts: one full window, then steps
    m.user->Embed(m.windows[i++ % kWindows], 3, cache, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UserTowerCached);

void BM_DisengagementFresh(benchmark::State& state) {
  const Models& m = Get();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(m.disengagement->ScoreFresh(m.windows[i++ % kWindows]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DisengagementFresh);

void BM_SongTower(benchmark::State& state) {
  const Models& m = Get();
  Track t;
  t.track_id = "spotify:abc";
  t.artist = "Artist";
  t.genres = {"pop"};
  t.language = "en";
  t.duration_ms = 200'000;
  t.release_date = "2020-01-01";
  t.popularity = 50;
  t.audio_features = {0.5f, 0.6f, 7, -5, 1, 0.1f, 0.2f, 0.f, 0.3f, 0.4f, 120};
  std::vector<float> out(64);
  for (auto _ : state) {
    m.song->EmbedTrack(t, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SongTower);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
