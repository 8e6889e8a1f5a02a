// The two-tower retrieval model: the plain-C++ towers equal the LibTorch forward and return unit
// vectors; the sampled-softmax loss with logQ correction and hard negatives on hand-made numbers; the
// sampling-probability estimate; and a tiny training run that learns a planted user → song mapping.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "features/session_features.h"
#include "features/song_features.h"
#include "models/two_tower_encoder.h"
#include "models/two_tower_model.h"
#include "models/two_tower_trainer.h"
#include "tests/models/synthetic_features.h"

namespace segue {
namespace {

TwoTowerConfig SmallConfig() {
  TwoTowerConfig c;
  c.user_sequence.d_model = 16;
  c.user_sequence.heads = 2;
  c.user_sequence.layers = 2;
  c.user_sequence.ffn_dim = 32;
  c.user_sequence.head_hidden = 32;
  c.embedding_dim = 16;
  c.song_embedding = 8;
  c.audio_hidden = 8;
  c.song_hidden = 24;
  c.day_embedding = 4;
  c.reference_ms = 1'700'000'000'000;
  return c;
}

Track MakeTrack(int i, bool with_audio) {
  Track t;
  t.track_id = "track-" + std::to_string(i);
  t.artist = "artist-" + std::to_string(i % 7);
  t.genres = {i % 2 ? "rock" : "dance pop"};
  t.language = i % 3 ? "en" : "es";
  t.duration_ms = 150'000 + 1000 * static_cast<uint32_t>(i);
  t.release_date = "20" + std::to_string(10 + i % 10) + "-05-01";
  t.popularity = static_cast<float>(10 * (i % 10));
  t.explicit_content = i % 4 == 0;
  if (with_audio) {
    t.audio_features = {0.5f, 0.7f, 5.f, -6.f, 1.f, 0.05f, 0.1f, 0.f, 0.12f, 0.4f, 118.f + static_cast<float>(i)};
  }
  return t;
}

// A randomly initialised model with non-trivial input standardisation (the parity must cover it).
TwoTowerModel RandomModel(const TwoTowerConfig& config) {
  torch::manual_seed(5);
  TwoTowerModel model(config);
  std::vector<float> step_mean(kStepNumeric, 0.3f), step_std(kStepNumeric, 1.7f);
  std::vector<float> ctx_mean(kContextNumeric, -0.2f), ctx_std(kContextNumeric, 0.8f);
  model->user()->SetNormalization(step_mean, step_std, ctx_mean, ctx_std);
  std::vector<float> audio_mean(kSongAudioFeatures, 1.f), audio_std(kSongAudioFeatures, 3.f);
  model->song()->SetAudioNormalization(audio_mean, audio_std);
  model->eval();
  return model;
}

float Norm(const float* x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  return static_cast<float>(std::sqrt(s));
}

TEST(TwoTowerTest, SongTowerMatchesLibTorchAndIsUnitLength) {
  const TwoTowerConfig config = SmallConfig();
  TwoTowerModel model = RandomModel(config);
  std::vector<SongFeatures> songs;
  for (int i = 0; i < 12; ++i) songs.push_back(ComputeSongFeatures(MakeTrack(i, i % 3 != 0), config.reference_ms));
  Track bare;  // a played track that is not in the catalog: only its id
  bare.track_id = "unknown-track";
  songs.push_back(ComputeSongFeatures(bare, config.reference_ms));
  std::vector<const SongFeatures*> ptrs;
  for (const SongFeatures& s : songs) ptrs.push_back(&s);
  torch::NoGradGuard no_grad;
  torch::Tensor reference = model->song()->forward(MakeSongBatch(ptrs)).contiguous();

  auto encoder = SongEncoder::Create(config, ExportModuleWeights(*model));
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  std::vector<float> out(songs.size() * 16);
  (*encoder)->EmbedBatch(songs, out.data());
  for (size_t i = 0; i < songs.size(); ++i) {
    for (int k = 0; k < 16; ++k) {
      EXPECT_NEAR(out[i * 16 + static_cast<size_t>(k)], reference[static_cast<int64_t>(i)][k].item<float>(), 1e-5f)
          << "song " << i << " dim " << k;
    }
    EXPECT_NEAR(Norm(&out[i * 16], 16), 1.f, 1e-5f);
  }
  std::vector<float> one(16);
  (*encoder)->EmbedTrack(MakeTrack(4, true), one.data());
  EXPECT_EQ(std::vector<float>(out.begin() + 4 * 16, out.begin() + 5 * 16), one);
}

TEST(TwoTowerTest, UserTowerMatchesLibTorchAndIsUnitLength) {
  const TwoTowerConfig config = SmallConfig();
  TwoTowerModel model = RandomModel(config);
  std::mt19937_64 rng(11);
  std::vector<FeatureVector> sessions;
  std::vector<uint8_t> days;
  for (int i = 0; i < 10; ++i) {
    std::vector<StepFeatures> history;
    const int len = i == 0 ? 0 : 1 + static_cast<int>(rng() % 40);  // session 0: no play yet (cold start)
    for (int s = 0; s < len; ++s) history.push_back(testing::RandomStep(rng, rng() % 3 == 0));
    FeatureVector fv = testing::WindowOf(history);
    testing::RandomContext(rng, fv);
    sessions.push_back(fv);
    days.push_back(static_cast<uint8_t>(rng() % kDayOfWeekVocab));
  }
  std::vector<const FeatureVector*> ptrs;
  for (const FeatureVector& fv : sessions) ptrs.push_back(&fv);
  torch::NoGradGuard no_grad;
  torch::Tensor reference = model->user()->forward(MakeUserBatch(ptrs, days)).contiguous();

  auto encoder = UserEncoder::Create(config, ExportModuleWeights(*model));
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  std::vector<float> out(sessions.size() * 16);
  (*encoder)->EmbedBatch(sessions, days, out.data());
  for (size_t i = 0; i < sessions.size(); ++i) {
    for (int k = 0; k < 16; ++k) {
      EXPECT_NEAR(out[i * 16 + static_cast<size_t>(k)], reference[static_cast<int64_t>(i)][k].item<float>(), 1e-4f)
          << "session " << i << " dim " << k;
    }
    EXPECT_NEAR(Norm(&out[i * 16], 16), 1.f, 1e-5f);
  }
}

TEST(TwoTowerTest, TowersRejectMissingOrMisShapedWeights) {
  const TwoTowerConfig config = SmallConfig();
  TwoTowerModel model = RandomModel(config);
  TransformerWeights weights = ExportModuleWeights(*model);
  TwoTowerConfig wider = config;
  wider.song_hidden = 25;
  auto song = SongEncoder::Create(wider, weights);
  ASSERT_FALSE(song.ok());
  EXPECT_NE(song.status().message().find("song.fc1.weight"), std::string::npos) << song.status().message();
  TransformerWeights empty;
  auto user = UserEncoder::Create(config, empty);
  ASSERT_FALSE(user.ok());
  EXPECT_NE(user.status().message().find("user.seq."), std::string::npos) << user.status().message();
}

// Two users, two songs, one dimension, temperature 0.5: every logit by hand.
TEST(TwoTowerTest, SampledSoftmaxLossWithLogQCorrectionByHand) {
  torch::Tensor user = torch::tensor({{1.f}, {-1.f}});
  torch::Tensor song = torch::tensor({{0.6f}, {0.8f}});
  torch::Tensor track = torch::tensor({0, 1}, torch::kInt64);
  torch::Tensor log_q = torch::tensor({std::log(0.2f), std::log(0.8f)});
  torch::Tensor no_hard = torch::zeros({2, 0, 1});
  torch::Tensor no_valid = torch::zeros({2, 0}, torch::kBool);
  const double loss = SampledSoftmaxLoss(user, song, track, log_q, no_hard, no_valid, 0.5).item<double>();
  // Logits are u·s / 0.5 - log q(column). Row 0: [1.2 - ln .2, 1.6 - ln .8], target 0.
  // Row 1: [-1.2 - ln .2, -1.6 - ln .8], target 1.
  auto ce = [](double target, double other) { return -target + std::log(std::exp(target) + std::exp(other)); };
  const double row0 = ce(1.2 - std::log(0.2), 1.6 - std::log(0.8));
  const double row1 = ce(-1.6 - std::log(0.8), -1.2 - std::log(0.2));
  EXPECT_NEAR(loss, (row0 + row1) / 2, 1e-5);
  // Without the correction (equal q) the popular song 1 would be pushed down harder in row 0.
  const double uncorrected =
      SampledSoftmaxLoss(user, song, track, torch::zeros({2}), no_hard, no_valid, 0.5).item<double>();
  EXPECT_NEAR(uncorrected, (ce(1.2, 1.6) + ce(-1.6, -1.2)) / 2, 1e-5);

  // The same track as both rows' positive is not a negative of either: each row has one class.
  EXPECT_NEAR(SampledSoftmaxLoss(user, song, torch::tensor({4, 4}, torch::kInt64), log_q, no_hard, no_valid, 0.5)
                  .item<double>(),
              0.0, 1e-6);

  // A hard negative for row 0 (score 1·(-0.5)/0.5 = -1, not corrected); row 1's slot is padding.
  torch::Tensor hard = torch::tensor({{{-0.5f}}, {{9.f}}});
  torch::Tensor valid = torch::tensor({{true}, {false}});
  const double with_hard = SampledSoftmaxLoss(user, song, track, log_q, hard, valid, 0.5).item<double>();
  const double row0_hard = -(1.2 - std::log(0.2)) + std::log(std::exp(1.2 - std::log(0.2)) +
                                                              std::exp(1.6 - std::log(0.8)) + std::exp(-1.0));
  EXPECT_NEAR(with_hard, (row0_hard + row1) / 2, 1e-5);
}

TEST(TwoTowerTest, SamplingProbabilityIsTheShareOfPositives) {
  std::vector<RetrievalPair> pairs(4);
  pairs[0].song = 0;
  pairs[1].song = 0;
  pairs[2].song = 0;
  pairs[3].song = 2;
  const std::vector<float> log_q = LogSamplingProbability(pairs, 3);
  // Counts 3, 0 (+0.5 smoothing each: 3.5, 0.5, 1.5) over 5.5.
  EXPECT_NEAR(log_q[0], std::log(3.5 / 5.5), 1e-6);
  EXPECT_NEAR(log_q[1], std::log(0.5 / 5.5), 1e-6);
  EXPECT_NEAR(log_q[2], std::log(1.5 / 5.5), 1e-6);
}

// Users whose last play was track k engage with song (k + 1) mod n next: a mapping only the towers
// together can learn. Random ranking puts the positive in the top 10 of 40 a quarter of the time.
std::vector<RetrievalPair> PlantedPairs(size_t count, int songs, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<RetrievalPair> pairs;
  for (size_t i = 0; i < count; ++i) {
    const int key = static_cast<int>(rng() % static_cast<uint64_t>(songs));
    std::vector<StepFeatures> history;
    for (int s = 0; s < 3; ++s) history.push_back(testing::RandomStep(rng, false));
    history.back().track = TrackBucket("track-" + std::to_string(key));
    RetrievalPair p;
    p.user = testing::WindowOf(history);
    p.day = static_cast<uint8_t>(1 + rng() % 7);
    p.song = static_cast<uint32_t>((key + 1) % songs);
    pairs.push_back(p);
  }
  return pairs;
}

TEST(TwoTowerTest, TrainingLowersTheLossAndRanksThePlantedPositive) {
  constexpr int kSongs = 40;
  std::vector<SongFeatures> songs;
  for (int i = 0; i < kSongs; ++i) {
    Track t;
    t.track_id = "track-" + std::to_string(i);
    songs.push_back(ComputeSongFeatures(t, 0));
  }
  const std::vector<RetrievalPair> train = PlantedPairs(3000, kSongs, 1), valid = PlantedPairs(300, kSongs, 2);
  TwoTowerTrainOptions options;
  options.architecture = SmallConfig();
  options.architecture.temperature = 0.1f;
  options.epochs = 6;
  options.batch_size = 64;
  options.learning_rate = 1e-2;
  options.threads = 1;
  auto result = TrainTwoTower(songs, train, valid, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->history.size(), 6u);
  EXPECT_LT(result->history.back().train_loss, 0.5 * result->history.front().train_loss);
  const RetrievalRecall& best = result->history[static_cast<size_t>(result->best_epoch - 1)].valid;
  EXPECT_EQ(best.queries, 300u);
  EXPECT_GT(best.at10, 0.8) << "random ranking gets 0.25";
  EXPECT_LE(best.at10, best.at50);
  EXPECT_LE(best.at50, best.at100);
}

TEST(TwoTowerTest, TrainingRejectsUnusableInput) {
  std::vector<SongFeatures> songs(3);
  std::vector<RetrievalPair> one(1), bad(2);
  bad[1].song = 7;
  TwoTowerTrainOptions options;
  EXPECT_FALSE(TrainTwoTower(songs, one, {}, options).ok());
  auto r = TrainTwoTower(songs, bad, {}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("outside the table"), std::string::npos);
}

}  // namespace
}  // namespace segue
