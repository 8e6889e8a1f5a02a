#include "models/disengagement_scorer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "models/disengagement_bundle.h"
#include "models/disengagement_trainer.h"
#include "models/logistic_stack.h"
#include "skip_burst_bundle.h"
#include "synthetic_features.h"

namespace segue {
namespace {

namespace fs = std::filesystem;
using testing::RandomContext;
using testing::RandomStep;
using testing::WindowOf;

// "u" + std::to_string(i) trips a GCC 12 -Wrestrict false positive; build the name step by step.
std::string Name(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

// The value text of an unlabelled sample `name` in an exposition, "absent" when there is none.
std::string SampleText(const std::string& text, const std::string& name) {
  const std::string line_start = "\n" + name + " ";
  const size_t at = text.find(line_start);
  if (at == std::string::npos) return "absent";
  const size_t begin = at + line_start.size();
  return text.substr(begin, text.find('\n', begin) - begin);
}

// One model trained on the synthetic skip-burst signal, shared by the tests (training takes seconds).
class ScorerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    bundle_ = new DisengagementBundle(testing::TrainSkipBurstBundle(5000, 1500, 21, 6));
    ASSERT_TRUE(bundle_->target_reached);
  }
  static void TearDownTestSuite() { delete bundle_; }

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_scorer_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ASSERT_TRUE(SaveBundle(*bundle_, (dir_ / "v1").string()).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Plays `n` steps for `user`, scoring after each; returns the number of triggers fired.
  static int Play(DisengagementScorer& scorer, const std::string& user, std::vector<StepFeatures>& history, int n,
                  bool skipping, int64_t& ts, std::mt19937_64& rng) {
    int fired = 0;
    for (int i = 0; i < n; ++i) {
      history.push_back(RandomStep(rng, skipping));
      FeatureVector fv = WindowOf(history);
      RandomContext(rng, fv);
      ts += skipping ? 20'000 : 200'000;
      fired += scorer.OnFeatures(user, ts, fv).decision == TriggerDecision::kFire;
    }
    return fired;
  }

  static DisengagementBundle* bundle_;
  fs::path dir_;
};
DisengagementBundle* ScorerTest::bundle_ = nullptr;

TEST_F(ScorerTest, HappyPathNeverFiresAndASkipBurstFiresOnce) {
  metrics::Registry registry;
  std::vector<Trigger> sink;
  ScorerOptions options;
  options.registry = &registry;
  options.on_trigger = [&sink](const Trigger& t) { sink.push_back(t); };
  auto scorer = DisengagementScorer::Load(dir_.string(), options);
  ASSERT_TRUE(scorer.ok()) << scorer.status().ToString();
  EXPECT_EQ((*scorer)->model_version(), "v1");
  std::mt19937_64 rng(5);
  int64_t ts = 1'700'000'000'000;

  // 200 listeners in continuous play with completes: no trigger at all.
  for (int u = 0; u < 200; ++u) {
    std::vector<StepFeatures> history;
    EXPECT_EQ(Play(**scorer, Name("happy", u), history, 60, false, ts, rng), 0) << "listener " << u;
  }
  EXPECT_EQ((*scorer)->stats().triggers, 0u);

  // A listener starts skipping everything: one trigger (hysteresis + cooldown keep it at one).
  std::vector<StepFeatures> history;
  Play(**scorer, "leaver", history, 20, false, ts, rng);
  EXPECT_EQ(Play(**scorer, "leaver", history, 12, true, ts, rng), 1);
  ASSERT_EQ(sink.size(), 1u);
  EXPECT_EQ(sink[0].user_id, "leaver");
  EXPECT_GE(sink[0].score, (*scorer)->threshold());
  EXPECT_NE(sink[0].reason.find("crossed threshold"), std::string::npos);

  auto view = (*scorer)->Get("leaver");
  ASSERT_TRUE(view.has_value());
  ASSERT_TRUE(view->last_trigger.has_value());
  EXPECT_EQ(view->last_trigger->ts_ms, sink[0].ts_ms);
  EXPECT_EQ(view->model_version, "v1");
  EXPECT_GT(view->score, 0.5f);
  EXPECT_FALSE((*scorer)->Get("happy0")->last_trigger.has_value());
  EXPECT_FALSE((*scorer)->Get("nobody").has_value());

  // Incremental: each scored event computed about one position.
  const ScorerStats stats = (*scorer)->stats();
  EXPECT_EQ(stats.scored, 200u * 60 + 32);
  EXPECT_EQ(stats.positions_computed, stats.scored);
  const std::string text = registry.RenderText();
  EXPECT_NE(text.find("segue_disengagement_score_bucket"), std::string::npos);
  EXPECT_NE(text.find("segue_disengagement_triggers_total 1"), std::string::npos);

  (*scorer)->Forget("leaver");
  EXPECT_FALSE((*scorer)->Get("leaver").has_value());
}

TEST_F(ScorerTest, RemembersAtMostMaxListeners) {
  ScorerOptions options;
  options.max_listeners = 64;
  auto scorer = DisengagementScorer::Load(dir_.string(), options);
  ASSERT_TRUE(scorer.ok());
  std::mt19937_64 rng(6);
  int64_t ts = 0;
  for (int u = 0; u < 500; ++u) {
    std::vector<StepFeatures> history;
    Play(**scorer, Name("u", u), history, 2, false, ts, rng);
  }
  EXPECT_LE((*scorer)->stats().listeners, 64u);
  EXPECT_TRUE((*scorer)->Get("u499").has_value());
  EXPECT_FALSE((*scorer)->Get("u0").has_value());
}

TEST_F(ScorerTest, BadBundlesAreClearErrorsAndReloadKeepsTheWorkingModel) {
  EXPECT_EQ(DisengagementScorer::Load((dir_ / "missing").string()).status().code(), StatusCode::kNotFound);
  auto scorer = DisengagementScorer::Load(dir_.string());
  ASSERT_TRUE(scorer.ok());
  std::mt19937_64 rng(7);
  int64_t ts = 0;
  std::vector<StepFeatures> history;
  Play(**scorer, "x", history, 5, false, ts, rng);

  // A newer but corrupt bundle: Load fails naming the file, Reload keeps v1 serving.
  ASSERT_TRUE(SaveBundle(*bundle_, (dir_ / "v2").string()).ok());
  std::ofstream(dir_ / "v2" / "weights.bin", std::ios::binary | std::ios::trunc) << "garbage";
  auto bad = DisengagementScorer::Load(dir_.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("weights.bin"), std::string::npos) << bad.status().ToString();
  EXPECT_FALSE((*scorer)->Reload().ok());
  EXPECT_EQ((*scorer)->model_version(), "v1");
  Play(**scorer, "x", history, 1, false, ts, rng);

  // A good newer bundle swaps in; the listener's cache restarts against it and scores match a fresh run.
  ASSERT_TRUE(SaveBundle(*bundle_, (dir_ / "v3").string()).ok());
  ASSERT_TRUE((*scorer)->Reload().ok());
  EXPECT_EQ((*scorer)->model_version(), "v3");
  Play(**scorer, "x", history, 1, false, ts, rng);
  EXPECT_EQ((*scorer)->Get("x")->model_version, "v3");
}

// The served model's reference histogram drives segue_score_psi; a bundle without one reports no PSI, and
// a swap restarts the window (the old model's scores say nothing about the new one).
TEST_F(ScorerTest, ExportsThePsiOfRecentScoresAgainstTheBundlesReference) {
  ASSERT_EQ(bundle_->score_histogram.size(), static_cast<size_t>(kScoreHistogramBins));
  metrics::Registry registry;
  ScorerOptions options;
  options.registry = &registry;
  auto scorer = DisengagementScorer::Load(dir_.string(), options);
  ASSERT_TRUE(scorer.ok());
  std::mt19937_64 rng(8);
  int64_t ts = 0;
  for (int u = 0; u < 20; ++u) {
    std::vector<StepFeatures> history;
    Play(**scorer, Name("l", u), history, 20, u % 4 == 0, ts, rng);
  }
  auto gauge = [&registry](const std::string& name) { return SampleText(registry.RenderText(), name); };
  EXPECT_EQ(gauge("segue_score_window_count"), "400");
  const std::string text = registry.RenderText();
  EXPECT_NE(text.find("\nsegue_score_window_bucket{le=\"0.15\"} "), std::string::npos) << text;
  const double psi = std::stod(gauge("segue_score_psi"));
  EXPECT_TRUE(std::isfinite(psi)) << gauge("segue_score_psi");
  EXPECT_GE(psi, 0.0);

  DisengagementBundle without = *bundle_;
  without.score_histogram.clear();
  ASSERT_TRUE(SaveBundle(without, (dir_ / "v2").string()).ok());
  ASSERT_TRUE((*scorer)->Reload().ok());
  EXPECT_EQ(gauge("segue_score_window_count"), "0");
  std::vector<StepFeatures> history;
  Play(**scorer, "after", history, 5, false, ts, rng);
  EXPECT_EQ(gauge("segue_score_psi"), "NaN");
}

}  // namespace
}  // namespace segue

namespace segue {
namespace {

// The server serves what the bundle says: a logistic or stacked bundle scores through the same scorer,
// with the same incremental cache path, and fires on the skip burst.
TEST_F(ScorerTest, ServesLogisticAndStackedBundles) {
  auto train = testing::MakeSkipBurstSet(3000, 31);
  auto valid = testing::MakeSkipBurstSet(1000, 32);
  auto transformer = ScoreWithTorch(bundle_->architecture, bundle_->weights, valid.x);
  ASSERT_TRUE(transformer.ok());
  int version = 2;
  for (PredictorKind kind : {PredictorKind::kLogistic, PredictorKind::kStacked}) {
    SCOPED_TRACE(std::string(PredictorKindName(kind)));
    auto stack = FitLogisticStack(train.x, train.y, valid.x, valid.y,
                                  kind == PredictorKind::kStacked ? *transformer : std::vector<float>{});
    ASSERT_TRUE(stack.ok()) << stack.status().ToString();
    DisengagementBundle bundle = *bundle_;
    bundle.kind = kind;
    bundle.logistic = stack->logistic;
    bundle.blend = stack->blend;
    SummariseValidation(stack->valid_scores, valid.y, &bundle);
    const std::string name = Name("v", version++);
    ASSERT_TRUE(SaveBundle(bundle, (dir_ / name).string()).ok());
    auto reference = LoadScoringBundle((dir_ / name).string());
    ASSERT_TRUE(reference.ok()) << reference.status().ToString();
    auto scorer = DisengagementScorer::Load(dir_.string());
    ASSERT_TRUE(scorer.ok()) << scorer.status().ToString();
    EXPECT_EQ((*scorer)->model_version(), name);

    std::mt19937_64 rng(7);
    std::vector<StepFeatures> history;
    for (int i = 0; i < 40; ++i) {
      history.push_back(RandomStep(rng, i >= 30));
      FeatureVector fv = WindowOf(history);
      RandomContext(rng, fv);
      const ScoreResult r = (*scorer)->OnFeatures("listener", 1'700'000'000'000 + i * 60'000, fv);
      EXPECT_NEAR(r.score, reference->predictor->ScoreFresh(fv), 1e-4f) << "step " << i;
    }
    EXPECT_GE((*scorer)->stats().triggers, 1u) << "ten skips in a row should fire";
  }
}

}  // namespace
}  // namespace segue
