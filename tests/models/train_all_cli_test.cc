// Runs the built `segue` binary: `segue train all` on a server's data dir (a simulated stream appended to
// an event log) promotes a first version of both models, refuses a deliberately under-trained candidate
// (kept under refused/ with REFUSED.json, not served) and promotes an equal one (same data and seed).
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "feedback/outcome_store.h"
#include "log/event_log.h"
#include "models/dataset.h"
#include "tests/testing/run_command.h"

namespace segue {
namespace {

namespace fs = std::filesystem;

using test_support::RunCommand;

class TrainAllCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_train_all_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A simulated week of 60 listeners in the event log of data/, as `segue serve` would have written it.
  void WriteLog() {
    int code = -1;
    RunCommand(std::string(SEGUE_BINARY) + " simulate --users 60 --days 7 --tracks 300 --seed 5 --quiet --out " +
                   path("events.ndjson") + " --catalog-out " + path("tracks.ndjson"),
               &code);
    ASSERT_EQ(code, 0);
    Result<EventFile> file = ReadEventFile(path("events.ndjson"));
    ASSERT_TRUE(file.ok()) << file.status().message();
    EventLogOptions o;
    o.dir = path("data");
    o.sync = false;
    Result<std::unique_ptr<EventLog>> log = EventLog::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().message();
    ASSERT_TRUE((*log)->Append(std::move(file->events)).ok());
    (*log)->Close();
  }

  // Outcomes in the data dir's feedback store, as the server's collector writes them: two play outcomes
  // (training labels) and one ignored impression (no track: not one).
  void WriteOutcomes() {
    Result<std::unique_ptr<feedback::OutcomeStore>> store =
        feedback::OutcomeStore::Open(path("data") + "/" + feedback::kOutcomesSubdir);
    ASSERT_TRUE(store.ok()) << store.status().message();
    std::vector<feedback::Outcome> outcomes(3);
    const feedback::OutcomeKind kinds[] = {feedback::OutcomeKind::kCompleted, feedback::OutcomeKind::kSkipped,
                                           feedback::OutcomeKind::kIgnored};
    for (size_t i = 0; i < outcomes.size(); ++i) {
      outcomes[i].rec_id = "r" + std::to_string(i);
      outcomes[i].user_id = "u000001";
      outcomes[i].track_id = i < 2 ? "sim-t00000" + std::to_string(i) : "";
      outcomes[i].kind = kinds[i];
    }
    ASSERT_TRUE((*store)->Commit("u000001", outcomes, {}).ok());
    ASSERT_TRUE((*store)->SyncWal().ok());
  }

  nlohmann::json TrainAll(const std::string& extra) {
    int code = -1;
    const std::string out = RunCommand(std::string(SEGUE_BINARY) + " train all --data-dir " + path("data") +
                                           " --catalog " + path("tracks.ndjson") + " --models " + path("m") +
                                           " --retrieval-models " + path("r") +
                                           " --epochs 2 --retrieval-epochs 1 --no-skip-head --horizon-min 5 "
                                           "--target-precision 0.8 --json " + extra + " 2>" + path("train.log"),
                                       &code);
    EXPECT_EQ(code, 0) << out;
    return nlohmann::json::parse(out, nullptr, false);
  }

  fs::path dir_;
};

TEST_F(TrainAllCliTest, TheGateRefusesAWorseModelAndPromotesAnEqualOne) {
  ASSERT_NO_FATAL_FAILURE(WriteLog());
  ASSERT_NO_FATAL_FAILURE(WriteOutcomes());
  const nlohmann::json first = TrainAll("");
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first.at("play_outcomes"), 2) << "the feedback store's play outcomes are read";
  EXPECT_EQ(first.at("events").get<size_t>(), first.at("through_seq").get<size_t>());
  for (const char* model : {"disengagement", "retrieval"}) {
    EXPECT_EQ(first.at(model).at("result"), "promoted") << first.dump();
    EXPECT_EQ(first.at(model).at("version"), "v0001");
    EXPECT_TRUE(first.at(model).at("current").is_null()) << "no bundle before";
  }
  EXPECT_TRUE(fs::exists(path("m/v0001/config.json")));
  EXPECT_TRUE(fs::exists(path("r/v0001/ann.hnsw")));

  // A learning rate of 1e-9 leaves the candidates at their random initialisation.
  const nlohmann::json worse = TrainAll("--learning-rate 1e-9 --retrieval-learning-rate 1e-9");
  ASSERT_TRUE(worse.is_object());
  for (const auto& [model, dir] : {std::pair{"disengagement", "m"}, std::pair{"retrieval", "r"}}) {
    const nlohmann::json& v = worse.at(model);
    EXPECT_EQ(v.at("result"), "refused") << worse.dump();
    EXPECT_EQ(v.at("metric"), std::string(model) == "disengagement" ? "roc_auc" : "recall@50");
    EXPECT_LT(v.at("candidate").get<double>(), v.at("current").get<double>());
    EXPECT_EQ(v.at("current_version"), "v0001");
    EXPECT_GT(v.at("examples").get<size_t>(), 0u);
    EXPECT_FALSE(fs::exists(path(std::string(dir) + "/v0002"))) << "never where the server looks";
    std::ifstream in(path(std::string(dir) + "/refused/v0002/REFUSED.json"));
    ASSERT_TRUE(in.good()) << model;
    const nlohmann::json refused = nlohmann::json::parse(in);
    EXPECT_EQ(refused.at("reason"), v.at("reason"));
    EXPECT_EQ(refused.at("candidate"), v.at("candidate"));
    EXPECT_EQ(refused.at("current"), v.at("current"));
  }

  // The same training as the first (deterministic for a seed): equal metrics are promoted.
  const nlohmann::json equal = TrainAll("");
  ASSERT_TRUE(equal.is_object());
  for (const char* model : {"disengagement", "retrieval"}) {
    EXPECT_EQ(equal.at(model).at("result"), "promoted") << equal.dump();
    EXPECT_EQ(equal.at(model).at("version"), "v0003");
    EXPECT_EQ(equal.at(model).at("candidate"), first.at(model).at("candidate"));
  }
}

TEST_F(TrainAllCliTest, BadInputIsAClearError) {
  int code = -1;
  fs::create_directories(path("data"));
  std::string out = RunCommand(std::string(SEGUE_BINARY) + " train all --data-dir " + path("data") + " 2>&1", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--models and/or --retrieval-models"), std::string::npos) << out;
  out = RunCommand(std::string(SEGUE_BINARY) + " train all --data-dir " + path("absent") + " --models " + path("m") +
                       " 2>&1",
                   &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("absent"), std::string::npos) << out;
}

}  // namespace
}  // namespace segue
