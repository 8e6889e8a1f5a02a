#include "models/disengagement_bundle.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "features/session_features.h"
#include "models/disengagement_trainer.h"
#include "models/logistic_stack.h"
#include "models/incremental_encoder.h"
#include "models/transformer_model.h"
#include "synthetic_features.h"

namespace segue {
namespace {

namespace fs = std::filesystem;

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_bundle_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    torch::manual_seed(9);
    DisengagementTransformer model(bundle_.architecture);
    bundle_.weights = model->ExportWeights();
    bundle_.feature_spec_version = kFeatureSpecVersion;
    bundle_.labels.horizon_ms = 5 * 60 * 1000;
    bundle_.created = "2026-11-28T14:00:00.000Z";
    bundle_.source = "events.ndjson";
    bundle_.history = {{.epoch = 1, .train_loss = 0.7, .valid_roc_auc = 0.8, .valid_pr_auc = 0.4, .seconds = 1, .improved = true}};
    auto set = testing::MakeSkipBurstSet(400, 1);
    std::vector<float> scores;
    for (size_t i = 0; i < set.y.size(); ++i) scores.push_back(set.y[i] ? 0.7f : 0.2f + 0.0005f * static_cast<float>(i % 100));
    SummariseValidation(scores, set.y, &bundle_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& version) const { return (dir_ / version).string(); }
  static void Overwrite(const fs::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  }
  static std::string ReadAll(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
  DisengagementBundle bundle_;
};

TEST_F(BundleTest, RoundTripsEverything) {
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  auto loaded = LoadBundle(Path("v1"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->version, "v1");
  EXPECT_EQ(loaded->feature_spec_version, kFeatureSpecVersion);
  EXPECT_EQ(loaded->architecture.d_model, bundle_.architecture.d_model);
  EXPECT_EQ(loaded->labels.horizon_ms, 5 * 60 * 1000);
  EXPECT_FLOAT_EQ(loaded->threshold, bundle_.threshold);
  EXPECT_TRUE(loaded->target_reached);
  EXPECT_EQ(loaded->score_histogram, bundle_.score_histogram);
  EXPECT_DOUBLE_EQ(loaded->validation.roc_auc, bundle_.validation.roc_auc);
  ASSERT_EQ(loaded->weights.tensors().size(), bundle_.weights.tensors().size());
  for (size_t i = 0; i < bundle_.weights.tensors().size(); ++i) {
    EXPECT_EQ(loaded->weights.tensors()[i].name, bundle_.weights.tensors()[i].name);
    EXPECT_EQ(loaded->weights.tensors()[i].data, bundle_.weights.tensors()[i].data);
  }
  // The loaded weights serve.
  EXPECT_TRUE(IncrementalEncoder::Create(loaded->architecture, loaded->weights).ok());
  // Bundles are immutable.
  EXPECT_EQ(SaveBundle(bundle_, Path("v1")).code(), StatusCode::kAlreadyExists);
}

TEST_F(BundleTest, WithoutSkipHeadLoadsWithNone) {
  ASSERT_FALSE(bundle_.skip_weights.has_value());
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  EXPECT_FALSE(fs::exists(dir_ / "v1" / "skip_weights.bin"));
  auto loaded = LoadBundle(Path("v1"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_FALSE(loaded->skip_weights.has_value());
  auto scoring = LoadScoringBundle(Path("v1"));
  ASSERT_TRUE(scoring.ok()) << scoring.status().ToString();
  EXPECT_NE(scoring->encoder, nullptr);
  EXPECT_EQ(scoring->skip_encoder, nullptr);
}

TEST_F(BundleTest, SkipHeadRoundTripsAndServes) {
  torch::manual_seed(10);
  DisengagementTransformer skip_model(bundle_.architecture);
  bundle_.skip_weights = skip_model->ExportWeights();
  bundle_.skip_best_epoch = 2;
  bundle_.skip_train_examples = 321;
  bundle_.skip_valid_roc_auc = 0.625;
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "skip_weights.bin"));
  auto loaded = LoadBundle(Path("v1"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE(loaded->skip_weights.has_value());
  EXPECT_EQ(loaded->skip_best_epoch, 2);
  EXPECT_EQ(loaded->skip_train_examples, 321u);
  EXPECT_DOUBLE_EQ(loaded->skip_valid_roc_auc, 0.625);
  ASSERT_EQ(loaded->skip_weights->tensors().size(), bundle_.skip_weights->tensors().size());
  for (size_t i = 0; i < bundle_.skip_weights->tensors().size(); ++i) {
    EXPECT_EQ(loaded->skip_weights->tensors()[i].data, bundle_.skip_weights->tensors()[i].data);
  }
  // Both heads serve, each with its own weights.
  auto scoring = LoadScoringBundle(Path("v1"));
  ASSERT_TRUE(scoring.ok()) << scoring.status().ToString();
  ASSERT_NE(scoring->skip_encoder, nullptr);
  auto set = testing::MakeSkipBurstSet(20, 3);
  auto skip_reference = ScoreWithTorch(bundle_.architecture, *bundle_.skip_weights, set.x);
  auto reference = ScoreWithTorch(bundle_.architecture, bundle_.weights, set.x);
  ASSERT_TRUE(skip_reference.ok() && reference.ok());
  bool differ = false;
  for (size_t i = 0; i < set.x.size(); ++i) {
    EXPECT_NEAR(scoring->skip_encoder->ScoreFresh(set.x[i]), (*skip_reference)[i], 1e-4f) << "example " << i;
    EXPECT_NEAR(scoring->encoder->ScoreFresh(set.x[i]), (*reference)[i], 1e-4f) << "example " << i;
    differ |= (*skip_reference)[i] != (*reference)[i];
  }
  EXPECT_TRUE(differ) << "the two heads' weights should give different scores";
}

TEST_F(BundleTest, DamagedSkipHeadIsAClearError) {
  torch::manual_seed(10);
  DisengagementTransformer skip_model(bundle_.architecture);
  bundle_.skip_weights = skip_model->ExportWeights();
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  const fs::path skip = dir_ / "v1" / "skip_weights.bin";
  const std::string bytes = ReadAll(skip);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x10;
  Overwrite(skip, flipped);
  auto r = LoadBundle(Path("v1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("skip_weights.bin"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("checksum"), std::string::npos) << r.status().ToString();
  // Announced in config.json but missing.
  fs::remove(skip);
  r = LoadBundle(Path("v1"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("skip_weights.bin"), std::string::npos) << r.status().ToString();
  // Weights of another architecture are refused when the engine is built.
  TransformerConfig other = bundle_.architecture;
  other.d_model *= 2;
  other.ffn_dim *= 2;
  DisengagementTransformer wide(other);
  Overwrite(skip, wide->ExportWeights().Encode());
  ASSERT_TRUE(LoadBundle(Path("v1")).ok());
  auto scoring = LoadScoringBundle(Path("v1"));
  ASSERT_FALSE(scoring.ok());
  EXPECT_EQ(scoring.status().code(), StatusCode::kCorruption);
  EXPECT_NE(scoring.status().message().find("skip_weights.bin"), std::string::npos) << scoring.status().ToString();
}

TEST_F(BundleTest, NewestIsTheGreatestVersionInNaturalOrder) {
  EXPECT_EQ(FindNewestBundle(dir_.string()).status().code(), StatusCode::kNotFound);
  for (const char* v : {"v2", "v10", "v9"}) ASSERT_TRUE(SaveBundle(bundle_, Path(v)).ok());
  fs::create_directories(dir_ / "v99.tmp-1");  // an interrupted save is ignored
  fs::create_directories(dir_ / "v100");       // so is a folder without config.json
  auto newest = FindNewestBundle(dir_.string());
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(fs::path(*newest).filename(), "v10");
  EXPECT_EQ(FindNewestBundle((dir_ / "absent").string()).status().code(), StatusCode::kNotFound);
}

TEST_F(BundleTest, CorruptOrMissingPartsAreClearErrors) {
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  const fs::path weights = dir_ / "v1" / "weights.bin";
  const std::string bytes = ReadAll(weights);
  // One flipped bit in the weights.
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x10;
  Overwrite(weights, flipped);
  auto r = LoadBundle(Path("v1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("checksum"), std::string::npos) << r.status().ToString();
  // Truncated weights.
  Overwrite(weights, bytes.substr(0, bytes.size() / 3));
  EXPECT_EQ(LoadBundle(Path("v1")).status().code(), StatusCode::kCorruption);
  // Missing weights.
  fs::remove(weights);
  EXPECT_EQ(LoadBundle(Path("v1")).status().code(), StatusCode::kNotFound);
  Overwrite(weights, bytes);
  ASSERT_TRUE(LoadBundle(Path("v1")).ok());

  const fs::path config = dir_ / "v1" / "config.json";
  const std::string config_text = ReadAll(config);
  Overwrite(config, config_text.substr(0, config_text.size() / 2));
  r = LoadBundle(Path("v1"));
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("config.json"), std::string::npos);
  // A bundle trained against another feature layout is refused.
  std::string other = config_text;
  const std::string key = "\"feature_spec_version\": " + std::to_string(kFeatureSpecVersion);
  ASSERT_NE(other.find(key), std::string::npos);
  other.replace(other.find(key), key.size(), "\"feature_spec_version\": 999");
  Overwrite(config, other);
  r = LoadBundle(Path("v1"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("feature spec v999"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(LoadBundle(Path("nope")).status().code(), StatusCode::kNotFound);
}

TEST(TransformerWeights, EncodeDecodeRejectsDamage) {
  TransformerWeights w;
  w.Add("a", {2, 3}, {1, 2, 3, 4, 5, 6});
  w.Add("b", {1}, {7});
  const std::string bytes = w.Encode();
  auto back = TransformerWeights::Decode(bytes);
  ASSERT_TRUE(back.ok());
  ASSERT_NE(back->Find("a"), nullptr);
  EXPECT_EQ(back->Find("a")->data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_FALSE(back->Expect("a", {3, 2}).ok());
  EXPECT_FALSE(TransformerWeights::Decode(bytes.substr(0, 10)).ok());
  EXPECT_FALSE(TransformerWeights::Decode("not weights at all, definitely").ok());
}

// Bundles written before the reference histogram existed load with none; a damaged one is refused.
TEST_F(BundleTest, ScoreHistogramIsOptionalButMustHaveTheFixedBins) {
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  fs::remove(dir_ / "v1" / "score_histogram.json");
  auto old = LoadBundle(Path("v1"));
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE(old->score_histogram.empty());
  Overwrite(dir_ / "v1" / "score_histogram.json", R"({"bins": 3, "counts": [1, 2, 3]})");
  auto damaged = LoadBundle(Path("v1"));
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), StatusCode::kCorruption);
  EXPECT_NE(damaged.status().message().find("score_histogram.json"), std::string::npos);
}

// The training data's engagement counts (engagement drift's baseline) round-trip; older bundles have none.
TEST_F(BundleTest, TrainingEngagementIsOptionalAndRoundTrips) {
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  auto without = LoadBundle(Path("v1"));
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_FALSE(without->training_engagement.has_value());
  bundle_.training_engagement = EngagementCounts{.plays_ended = 10, .plays_skipped = 4, .sessions_started = 3,
                                                 .sessions_exited = 1};
  ASSERT_TRUE(SaveBundle(bundle_, Path("v2")).ok());
  auto with = LoadBundle(Path("v2"));
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_EQ(with->training_engagement, bundle_.training_engagement);
}

}  // namespace
}  // namespace segue

namespace segue {
namespace {

// The logistic parts fitted on the synthetic skip-burst signal (the stacked kind blends them with the
// fixture's Transformer).
class KindBundleTest : public BundleTest {
 protected:
  void Fit(PredictorKind kind) {
    auto train = testing::MakeSkipBurstSet(800, 5);
    valid_ = testing::MakeSkipBurstSet(300, 6);
    std::vector<float> transformer;
    if (kind == PredictorKind::kStacked) {
      auto scores = ScoreWithTorch(bundle_.architecture, bundle_.weights, valid_.x);
      ASSERT_TRUE(scores.ok());
      transformer = *scores;
    }
    auto stack = FitLogisticStack(train.x, train.y, valid_.x, valid_.y, transformer);
    ASSERT_TRUE(stack.ok()) << stack.status().ToString();
    bundle_.kind = kind;
    bundle_.logistic = stack->logistic;
    bundle_.blend = stack->blend;
    if (kind == PredictorKind::kLogistic) bundle_.weights = TransformerWeights();
  }
  testing::SyntheticSet valid_;
};

TEST_F(KindBundleTest, LogisticBundleServesTheLogisticModelWithoutTransformerWeights) {
  Fit(PredictorKind::kLogistic);
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  EXPECT_FALSE(fs::exists(dir_ / "v1" / "weights.bin"));
  auto scoring = LoadScoringBundle(Path("v1"));
  ASSERT_TRUE(scoring.ok()) << scoring.status().ToString();
  EXPECT_EQ(scoring->bundle.kind, PredictorKind::kLogistic);
  EXPECT_EQ(scoring->encoder, nullptr);
  for (const FeatureVector& f : valid_.x) {
    EXPECT_NEAR(scoring->predictor->ScoreFresh(f), bundle_.logistic->Probability(TabularFeatures(f)), 1e-6f);
  }
  EncoderCache cache = scoring->predictor->NewCache();
  EXPECT_NEAR(scoring->predictor->Score(valid_.x[0], cache), scoring->predictor->ScoreFresh(valid_.x[0]), 1e-6f);
}

TEST_F(KindBundleTest, StackedBundleBlendsBothPartsAsSaved) {
  Fit(PredictorKind::kStacked);
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  auto scoring = LoadScoringBundle(Path("v1"));
  ASSERT_TRUE(scoring.ok()) << scoring.status().ToString();
  ASSERT_NE(scoring->encoder, nullptr);
  const BlendWeights& b = scoring->bundle.blend;
  EXPECT_FLOAT_EQ(b.transformer, bundle_.blend.transformer);
  EXPECT_NE(b.transformer, 0.f);
  EXPECT_NE(b.logistic, 0.f);
  auto torch_scores = ScoreWithTorch(bundle_.architecture, bundle_.weights, valid_.x);
  ASSERT_TRUE(torch_scores.ok());
  EncoderCache cache = scoring->predictor->NewCache();
  for (size_t i = 0; i < valid_.x.size(); ++i) {
    const double z = b.transformer * Logit((*torch_scores)[i]) + b.logistic * bundle_.logistic->Margin(TabularFeatures(valid_.x[i])) + b.bias;
    const float expected = static_cast<float>(1.0 / (1.0 + std::exp(-z)));
    EXPECT_NEAR(scoring->predictor->ScoreFresh(valid_.x[i]), expected, 1e-4f) << "example " << i;
    EXPECT_NEAR(scoring->predictor->Score(valid_.x[i], cache), expected, 1e-4f) << "example " << i;
  }
}

// Rewrites one field of a saved bundle's config.json.
void EditConfig(const fs::path& bundle, const std::function<void(nlohmann::json&)>& edit) {
  std::ifstream in(bundle / "config.json");
  nlohmann::json config = nlohmann::json::parse(in);
  in.close();
  edit(config);
  std::ofstream(bundle / "config.json", std::ios::trunc) << config.dump(2);
}

TEST_F(KindBundleTest, FormatOneLoadsAsTransformerAndOtherFormatsAreRefusedClearly) {
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  EditConfig(dir_ / "v1", [](nlohmann::json& c) { c["format_version"] = 1; });
  auto old = LoadScoringBundle(Path("v1"));
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->bundle.kind, PredictorKind::kTransformer);

  EditConfig(dir_ / "v1", [](nlohmann::json& c) { c["format_version"] = kBundleFormatVersion + 1; });
  auto newer = LoadBundle(Path("v1"));
  EXPECT_EQ(newer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(newer.status().message().find("bundle format " + std::to_string(kBundleFormatVersion + 1) + " is not supported"),
            std::string::npos)
      << newer.status().message();

  Fit(PredictorKind::kLogistic);
  ASSERT_TRUE(SaveBundle(bundle_, Path("v2")).ok());
  EditConfig(dir_ / "v2", [](nlohmann::json& c) { c["format_version"] = 1; });
  auto logistic_in_v1 = LoadBundle(Path("v2"));
  EXPECT_EQ(logistic_in_v1.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(logistic_in_v1.status().message().find("model 'logistic' is not supported in bundle format 1"),
            std::string::npos)
      << logistic_in_v1.status().message();
}

TEST_F(KindBundleTest, LogisticInputsOfAnotherFeatureLayoutAreRefused) {
  Fit(PredictorKind::kLogistic);
  ASSERT_TRUE(SaveBundle(bundle_, Path("v1")).ok());
  EditConfig(dir_ / "v1", [](nlohmann::json& c) { c["logistic"]["inputs"][3] = "something_else"; });
  auto loaded = LoadBundle(Path("v1"));
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find("retrain"), std::string::npos) << loaded.status().message();
  EditConfig(dir_ / "v1", [](nlohmann::json& c) { c.erase("logistic"); });
  EXPECT_EQ(LoadBundle(Path("v1")).status().code(), StatusCode::kCorruption);
}

TEST_F(KindBundleTest, IdEmbeddingsAreOptionalAndOldConfigsHaveThem) {
  TransformerConfig without;
  without.id_embeddings = false;
  torch::manual_seed(4);
  DisengagementTransformer model(without);
  TransformerWeights weights = model->ExportWeights();
  for (const auto& t : weights.tensors()) EXPECT_EQ(t.name.find("emb_track"), std::string::npos) << t.name;
  auto encoder = IncrementalEncoder::Create(without, weights);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  auto set = testing::MakeSkipBurstSet(10, 8);
  auto ref = ScoreWithTorch(without, weights, set.x);
  ASSERT_TRUE(ref.ok());
  for (size_t i = 0; i < set.x.size(); ++i) EXPECT_NEAR((*encoder)->ScoreFresh(set.x[i]), (*ref)[i], 1e-4f);
  nlohmann::json old_config = TransformerConfig{}.ToJson();
  old_config.erase("id_embeddings");
  auto parsed = TransformerConfig::FromJson(old_config);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->id_embeddings);
  EXPECT_FALSE(TransformerConfig::FromJson(without.ToJson())->id_embeddings);
}

}  // namespace
}  // namespace segue
