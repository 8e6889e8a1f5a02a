// Runs the built `segue` binary: `segue train retrieval` on a small simulated stream writes a loadable
// bundle and reports recall with its --json shape; bad input is a clear error.
#include <filesystem>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/run_command.h"

namespace {

namespace fs = std::filesystem;

using segue::test_support::RunCommand;

class TrainRetrievalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_train_retrieval_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Run(const std::string& args, int* code) const {
    return RunCommand(std::string(SEGUE_BINARY) + " train retrieval " + args + " 2>&1", code);
  }
  fs::path dir_;
};

TEST_F(TrainRetrievalCliTest, WritesABundleAndReportsRecall) {
  int code = -1;
  RunCommand(std::string(SEGUE_BINARY) + " simulate --users 30 --days 3 --tracks 300 --seed 5 --quiet --out " +
                 path("events.ndjson") + " --catalog-out " + path("tracks.ndjson"),
             &code);
  ASSERT_EQ(code, 0);
  const std::string out = RunCommand(std::string(SEGUE_BINARY) + " train retrieval --events " + path("events.ndjson") +
                                         " --catalog " + path("tracks.ndjson") + " --out " + path("model/v1") +
                                         " --epochs 1 --json 2>/dev/null",
                                     &code);
  ASSERT_EQ(code, 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_GE(j.at("tracks").get<size_t>(), 300u) << "every catalog track is embedded";
  EXPECT_GT(j.at("train_pairs").get<size_t>(), 0u);
  EXPECT_EQ(j.at("listeners").get<size_t>(), 30u);
  EXPECT_EQ(j.at("best_epoch").get<int>(), 1);
  for (const char* key : {"queries", "recall@10", "recall@50", "recall@100"}) {
    EXPECT_TRUE(j.at("validation").contains(key)) << key;
  }
  for (const char* file : {"config.json", "weights.bin", "song_embeddings.bin", "track_ids.txt", "ann.hnsw", "metrics.json"}) {
    EXPECT_TRUE(fs::exists(fs::path(path("model/v1")) / file)) << file;
  }
  // `segue eval retrieval --model` serves the bundle as the "two_tower" retriever beside the baselines.
  const std::string eval = RunCommand(std::string(SEGUE_BINARY) + " eval retrieval --events " + path("events.ndjson") +
                                          " --catalog " + path("tracks.ndjson") + " --model " + path("model/v1") +
                                          " --bootstrap 10 --json 2>/dev/null",
                                      &code);
  ASSERT_EQ(code, 0) << eval;
  const nlohmann::json report = nlohmann::json::parse(eval);
  ASSERT_TRUE(report.at("models").contains("two_tower")) << eval;
  EXPECT_GT(report.at("models").at("two_tower").at("queries").get<size_t>(), 0u);
  EXPECT_EQ(report.at("models").at("two_tower").at("errors").get<size_t>(), 0u);
  EXPECT_TRUE(report.at("discovery").at("models").contains("two_tower"));
  // Bundles are immutable: the same --out again is refused before any training.
  const std::string again = Run("--events " + path("events.ndjson") + " --out " + path("model/v1"), &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(again.find("already exists"), std::string::npos) << again;
}

TEST_F(TrainRetrievalCliTest, BadInputIsAClearError) {
  int code = -1;
  std::string out = Run("--out " + path("m"), &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("--events and/or --playlists"), std::string::npos) << out;
  out = Run("--events " + path("absent.ndjson") + " --out " + path("m"), &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("absent.ndjson"), std::string::npos) << out;
  out = RunCommand(std::string("echo '{}' > ") + path("e.ndjson"), &code);
  out = Run("--events " + path("e.ndjson") + " --out " + path("m") + " --batch-size 1", &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("--batch-size"), std::string::npos) << out;
  out = Run("--events " + path("e.ndjson") + " --out " + path("m") + " --heads 5", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("heads"), std::string::npos) << out;
  out = Run("--events " + path("e.ndjson") + " --out " + path("m"), &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("no valid event"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(path("m")));
}

}  // namespace
