// Runs the built `segue` binary: `segue eval disengagement` on a small simulated stream, through both
// splits, cross-validated by listener and on a file of unseen listeners (--split all), with the
// documented --json shape; and its input errors.
#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/run_command.h"

namespace {

namespace fs = std::filesystem;

using segue::test_support::RunCommand;

class EvalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_eval_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // A small simulated stream: events.ndjson and tracks.ndjson in the test folder.
  void Simulate() const {
    int code = -1;
    RunCommand(std::string(SEGUE_BINARY) + " simulate --users 40 --days 4 --tracks 500 --seed 3 --quiet --out " +
              path("events.ndjson") + " --catalog-out " + path("tracks.ndjson"),
          &code);
    ASSERT_EQ(code, 0);
  }
  fs::path dir_;
};

TEST_F(EvalCliTest, JsonReportHasEveryModelAndMetric) {
  ASSERT_NO_FATAL_FAILURE(Simulate());
  int code = -1;
  const std::string out = RunCommand(std::string(SEGUE_BINARY) + " eval disengagement --events " + path("events.ndjson") +
                                    " --catalog " + path("tracks.ndjson") + " --horizon-min 10 --json 2>/dev/null",
                                &code);
  ASSERT_EQ(code, 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  ASSERT_GT(j.at("examples").get<size_t>(), 0u);
  EXPECT_LE(j.at("positives").get<size_t>(), j.at("examples").get<size_t>());
  EXPECT_EQ(j.at("horizon_min").get<double>(), 10.0);
  for (const nlohmann::json* split : {&j, &j.at("by_user")}) {
    for (const char* model : {"heuristic", "logistic", "xgboost"}) {
      const nlohmann::json& m = split->at("models").at(model);
      for (const char* key : {"roc_auc", "pr_auc", "precision_at_k", "k", "fpr_at_threshold", "ece",
                              "mssd_mean_average_accuracy", "mssd_first_prediction_accuracy"}) {
        EXPECT_TRUE(m.contains(key)) << model << " " << key;
      }
      // The simulated stream has signal (seed 3: 0.74 to 0.87): an inverted or constant score is 0.5 or less.
      EXPECT_GT(m.at("roc_auc").get<double>(), 0.5) << model;
    }
  }
}

// The Transformer's WSDM fields: non-null with the bundle's skip head, null for a bundle without one.
TEST_F(EvalCliTest, TransformerSkipHeadGivesMssdMetrics) {
  ASSERT_NO_FATAL_FAILURE(Simulate());
  int code = -1;
  const std::string data = " --events " + path("events.ndjson") + " --catalog " + path("tracks.ndjson") + " --horizon-min 10";
  const std::string small = " --epochs 1 --d-model 16 --layers 1 --heads 2 --json 2>/dev/null";
  std::string out = RunCommand(std::string(SEGUE_BINARY) + " train disengagement" + data + " --out " + path("with") + small, &code);
  ASSERT_EQ(code, 0) << out;
  const nlohmann::json trained = nlohmann::json::parse(out);
  ASSERT_TRUE(trained.at("skip_head").is_object()) << out;
  EXPECT_GT(trained.at("skip_head").at("train_examples").get<size_t>(), 0u);
  EXPECT_TRUE(fs::exists(path("with") + "/skip_weights.bin"));
  out = RunCommand(std::string(SEGUE_BINARY) + " train disengagement" + data + " --out " + path("without") + " --no-skip-head" + small,
              &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_TRUE(nlohmann::json::parse(out).at("skip_head").is_null()) << out;
  EXPECT_FALSE(fs::exists(path("without") + "/skip_weights.bin"));

  for (const char* bundle : {"with", "without"}) {
    out = RunCommand(std::string(SEGUE_BINARY) + " eval disengagement --model " + path(bundle) + data + " --json 2>/dev/null", &code);
    ASSERT_EQ(code, 0) << out;
    const nlohmann::json j = nlohmann::json::parse(out);
    for (const nlohmann::json* split : {&j, &j.at("by_user")}) {
      const nlohmann::json& m = split->at("models").at("transformer");
      for (const char* key : {"mssd_mean_average_accuracy", "mssd_first_prediction_accuracy",
                              "mssd_first_half_mean_average_accuracy"}) {
        if (std::string(bundle) == "with") {
          EXPECT_TRUE(m.at(key).is_number()) << key << ": " << m.dump();
        } else {
          EXPECT_TRUE(m.at(key).is_null()) << key << ": " << m.dump();
        }
      }
      EXPECT_EQ(m.at("mssd_sessions").get<size_t>() > 0, std::string(bundle) == "with") << m.dump();
    }
  }
}

// --cv-listeners: every listener evaluated once (fold counts add up to the file), every model with
// intervals, paired differences to the Transformer, a progress line per fold, the trigger replay.
TEST_F(EvalCliTest, CrossValidationByListenerReportsFoldsIntervalsAndPairs) {
  ASSERT_NO_FATAL_FAILURE(Simulate());
  int code = -1;
  const std::string out = RunCommand(std::string(SEGUE_BINARY) + " eval disengagement --events " + path("events.ndjson") +
                                         " --catalog " + path("tracks.ndjson") +
                                         " --horizon-min 10 --cv-listeners 3 --bootstrap 50 --epochs 1 --d-model 16"
                                         " --layers 1 --heads 2 --json 2>" + path("progress.txt"),
                                     &code);
  ASSERT_EQ(code, 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j.at("cv_listeners").get<int>(), 3);
  EXPECT_EQ(j.at("examples").get<size_t>(), j.at("dataset").at("decision_points").get<size_t>());
  ASSERT_EQ(j.at("folds").size(), 3u);
  size_t examples = 0, listeners = 0;
  for (const nlohmann::json& fold : j.at("folds")) {
    examples += fold.at("examples").get<size_t>();
    listeners += fold.at("listeners").get<size_t>();
    EXPECT_TRUE(fold.at("models").contains("transformer")) << fold.dump();
  }
  EXPECT_EQ(examples, j.at("examples").get<size_t>());
  // Every listener with a decision point is in exactly one fold (some simulated listeners have none).
  EXPECT_EQ(listeners, j.at("listeners").get<size_t>());
  EXPECT_LE(listeners, j.at("dataset").at("users").get<size_t>());
  EXPECT_GE(listeners, 3u);
  for (const char* model : {"transformer", "heuristic", "logistic", "xgboost"}) {
    const nlohmann::json& m = j.at("models").at(model);
    for (const char* metric : {"roc_auc", "pr_auc", "mssd_first_half_mean_average_accuracy"}) {
      const nlohmann::json& ci = m.at("ci95").at(metric);
      ASSERT_EQ(ci.size(), 2u) << model << " " << metric;
      EXPECT_LE(ci[0].get<double>(), ci[1].get<double>()) << model << " " << metric;
    }
    EXPECT_TRUE(m.contains("recall_at_threshold")) << model;
  }
  for (const char* baseline : {"heuristic", "logistic", "xgboost"}) {
    const nlohmann::json& d = j.at("paired").at(baseline);
    EXPECT_EQ(d.at("reference"), "transformer");
    EXPECT_EQ(d.at("roc_auc").at("ci95").size(), 2u) << d.dump();
    EXPECT_TRUE(d.at("pr_auc").at("diff").is_number()) << d.dump();
  }
  EXPECT_EQ(j.at("resamples").get<int>(), 50);
  EXPECT_LE(j.at("trigger").at("listeners").get<size_t>(), listeners);
  EXPECT_GT(j.at("trigger").at("listener_hours").get<double>(), 0.0);
  const std::string progress = RunCommand("cat " + path("progress.txt"), &code);
  for (const char* line : {"fold 1/3: transformer trained", "fold 3/3: transformer trained"}) {
    EXPECT_NE(progress.find(line), std::string::npos) << progress;
  }
}

// --split all: a bundle trained on one population evaluated on every point of another.
TEST_F(EvalCliTest, SplitAllEvaluatesEveryPointOfUnseenListeners) {
  ASSERT_NO_FATAL_FAILURE(Simulate());
  int code = -1;
  RunCommand(std::string(SEGUE_BINARY) + " simulate --users 15 --days 3 --tracks 500 --seed 4 --quiet --out " +
                 path("other.ndjson"),
             &code);
  ASSERT_EQ(code, 0);
  const std::string train = std::string(SEGUE_BINARY) + " train disengagement --events " + path("events.ndjson") +
                            " --catalog " + path("tracks.ndjson") + " --horizon-min 10 --out " + path("bundle") +
                            " --epochs 1 --d-model 16 --layers 1 --heads 2 --no-skip-head --json 2>/dev/null";
  ASSERT_EQ((RunCommand(train, &code), code), 0);
  const std::string eval = std::string(SEGUE_BINARY) + " eval disengagement --split all --model " + path("bundle") +
                           " --events " + path("other.ndjson") + " --catalog " + path("tracks.ndjson") +
                           " --horizon-min 10 --bootstrap 50 --json";
  std::string out = RunCommand(eval + " 2>/dev/null", &code);
  ASSERT_EQ(code, 0) << out;
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j.at("split"), "all");
  EXPECT_EQ(j.at("examples").get<size_t>(), j.at("dataset").at("decision_points").get<size_t>());
  EXPECT_EQ(j.at("listeners").get<size_t>(), j.at("dataset").at("users").get<size_t>());
  EXPECT_EQ(j.at("models").size(), 1u) << "without --baselines-from only the bundle: " << j.at("models").dump();
  EXPECT_EQ(j.at("models").at("transformer").at("ci95").at("roc_auc").size(), 2u);
  out = RunCommand(eval + " --baselines-from " + path("events.ndjson") + " 2>/dev/null", &code);
  ASSERT_EQ(code, 0) << out;
  j = nlohmann::json::parse(out);
  EXPECT_EQ(j.at("models").size(), 4u) << j.at("models").dump();
  EXPECT_TRUE(j.at("paired").at("logistic").at("roc_auc").at("ci95").is_array());
}

TEST_F(EvalCliTest, CrossValidationAndSplitFlagsAreCheckedWithAMessageNamingTheFlag) {
  ASSERT_NO_FATAL_FAILURE(Simulate());
  int code = -1;
  const std::string base = std::string(SEGUE_BINARY) + " eval disengagement --events " + path("events.ndjson") +
                           " --catalog " + path("tracks.ndjson");
  std::string err = RunCommand(base + " --cv-listeners 1 2>&1", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("--cv-listeners must be at least 2"), std::string::npos) << err;
  err = RunCommand(base + " --cv-listeners 41 2>&1", &code);  // 40 simulated listeners, not all with a decision point
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("--cv-listeners 41: the file has only"), std::string::npos) << err;
  EXPECT_NE(err.find("listeners with decision points"), std::string::npos) << err;
  err = RunCommand(base + " --split all 2>&1", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("--split all needs --model"), std::string::npos) << err;
}

TEST_F(EvalCliTest, BadInputsFailWithAMessage) {
  int code = -1;
  RunCommand(std::string(SEGUE_BINARY) + " eval disengagement --events /nonexistent.ndjson 2>&1", &code);
  EXPECT_NE(code, 0);
  {
    FILE* f = fopen(path("junk.ndjson").c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("not json\n{\"also\": \"not an event\"}\n", f);
    fclose(f);
  }
  const std::string err = RunCommand(std::string(SEGUE_BINARY) + " eval disengagement --events " + path("junk.ndjson") + " 2>&1", &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("no valid event"), std::string::npos) << err;
  EXPECT_NE(err.find("line 1"), std::string::npos) << err;
  RunCommand(std::string(SEGUE_BINARY) + " eval disengagement --events " + path("junk.ndjson") + " --burst-skips 9 2>&1", &code);
  EXPECT_EQ(code, 2);
}

}  // namespace
