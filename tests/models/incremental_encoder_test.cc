#include "models/incremental_encoder.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "models/disengagement_trainer.h"
#include "models/transformer_model.h"
#include "synthetic_features.h"

namespace segue {
namespace {

using testing::RandomContext;
using testing::RandomStep;
using testing::WindowOf;

constexpr float kParityTolerance = 1e-4f;

// A model with random (but seeded) weights, including non-trivial input normalisation.
TransformerWeights RandomWeights(const TransformerConfig& config, uint64_t seed) {
  torch::manual_seed(seed);
  DisengagementTransformer model(config);
  std::vector<float> sm(kStepNumeric, 0.3f), ss(kStepNumeric, 0.7f), cm(kContextNumeric, -0.1f),
      cs(kContextNumeric, 1.5f);
  model->SetNormalization(sm, ss, cm, cs);
  return model->ExportWeights();
}

class IncrementalParity : public ::testing::TestWithParam<int> {};

TEST_P(IncrementalParity, StreamedScoresEqualTorchFullForward) {
  TransformerConfig config;
  config.layers = GetParam();
  TransformerWeights weights = RandomWeights(config, 3);
  auto encoder = IncrementalEncoder::Create(config, weights);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();

  // One listener's stream: 80 play ends (the window slides after 32), where before each play ends it is
  // first scored as ongoing (the last step changes in place), and the context changes every time.
  std::mt19937_64 rng(11);
  std::vector<StepFeatures> history;
  std::vector<FeatureVector> windows;
  for (int play = 0; play < 80; ++play) {
    StepFeatures ongoing = RandomStep(rng, false);
    ongoing.end = 0;
    history.push_back(ongoing);
    windows.push_back(WindowOf(history));
    RandomContext(rng, windows.back());
    history.back() = RandomStep(rng, play % 3 == 0);
    windows.push_back(WindowOf(history));
    RandomContext(rng, windows.back());
  }
  auto reference = ScoreWithTorch(config, weights, windows);
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();

  EncoderCache cache = (*encoder)->NewCache();
  for (size_t i = 0; i < windows.size(); ++i) {
    EXPECT_NEAR((*encoder)->Score(windows[i], cache), (*reference)[i], kParityTolerance) << "window " << i;
    EXPECT_NEAR((*encoder)->ScoreFresh(windows[i]), (*reference)[i], kParityTolerance) << "window " << i;
  }
  // Every event cost one position: one appended, or the ongoing one rolled back and replaced.
  EXPECT_EQ(cache.positions_computed, windows.size());
}

INSTANTIATE_TEST_SUITE_P(Layers, IncrementalParity, ::testing::Values(1, 2, 3));

TEST(IncrementalEncoder, CacheRestartsOnNewSessionAndRescoresWithoutWork) {
  TransformerConfig config;
  TransformerWeights weights = RandomWeights(config, 5);
  auto encoder = IncrementalEncoder::Create(config, weights);
  ASSERT_TRUE(encoder.ok());
  std::mt19937_64 rng(2);
  std::vector<StepFeatures> a, b;
  for (int i = 0; i < 10; ++i) a.push_back(RandomStep(rng, i % 2));
  for (int i = 0; i < 3; ++i) b.push_back(RandomStep(rng, false));

  EncoderCache cache = (*encoder)->NewCache();
  const FeatureVector wa = WindowOf(a);
  const float first = (*encoder)->Score(wa, cache);
  EXPECT_EQ(cache.positions_computed, 10u);
  EXPECT_FLOAT_EQ((*encoder)->Score(wa, cache), first);  // same input: no new position
  EXPECT_EQ(cache.positions_computed, 10u);

  // A new session's short window is not a continuation: the cache restarts and still matches.
  const FeatureVector wb = WindowOf(b);
  EXPECT_NEAR((*encoder)->Score(wb, cache), (*encoder)->ScoreFresh(wb), 1e-6f);
  EXPECT_EQ(cache.positions_computed, 13u);

  // No plays at all: the sequence part is zero, as in the LibTorch forward.
  FeatureVector empty;
  RandomContext(rng, empty);
  auto ref = ScoreWithTorch(config, weights, std::vector<FeatureVector>{empty});
  ASSERT_TRUE(ref.ok());
  EXPECT_NEAR((*encoder)->Score(empty, cache), (*ref)[0], kParityTolerance);
}

TEST(IncrementalEncoder, RejectsMissingOrMisshapenWeights) {
  TransformerConfig config;
  TransformerWeights weights = RandomWeights(config, 1);
  TransformerConfig other = config;
  other.d_model = 64;
  auto wrong = IncrementalEncoder::Create(other, weights);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kCorruption);
  EXPECT_NE(wrong.status().message().find("emb_track.weight"), std::string::npos) << wrong.status().ToString();

  TransformerWeights partial;
  for (const NamedTensor& t : weights.tensors()) {
    if (t.name != "layers.1.ffn2.bias") partial.Add(t.name, t.shape, t.data);
  }
  auto missing = IncrementalEncoder::Create(config, partial);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("layers.1.ffn2.bias"), std::string::npos);
}

}  // namespace
}  // namespace segue
