// Runs the built `segue` binary: `segue eval retrieval` on a small simulated stream and a tiny playlist
// file, with the documented --json shape; and its input errors.
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

constexpr const char* kMetrics[] = {"recall@10", "recall@50", "recall@100", "ndcg@10", "mrr", "r_precision"};
constexpr const char* kBaselines[] = {"popularity", "session_knn", "artist", "own_history"};

class EvalRetrievalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_eval_retrieval_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& text) const {
    FILE* f = fopen(path(name).c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(text.c_str(), f);
    fclose(f);
  }
  void Simulate() const {
    int code = -1;
    RunCommand(std::string(SEGUE_BINARY) + " simulate --users 30 --days 4 --tracks 300 --seed 5 --quiet --out " +
                   path("events.ndjson") + " --catalog-out " + path("tracks.ndjson"),
               &code);
    ASSERT_EQ(code, 0);
  }
  // Ten playlists over six tracks; whichever are held out, their last tracks are findable.
  void WritePlaylists() const {
    std::string text;
    for (int i = 0; i < 10; ++i) {
      text += R"({"playlist_id":"mpd:)" + std::to_string(i) +
              R"(","name":"p","collaborative":false,"modified_at_ms":0,"num_followers":1,"num_edits":1,)"
              R"("tracks":["t1","t2","t3","t4","t5","t6"]})" "\n";
    }
    Write("playlists.ndjson", text);
  }
  fs::path dir_;
};

TEST_F(EvalRetrievalCliTest, JsonHasEveryBaselineAndMetric) {
  ASSERT_NO_FATAL_FAILURE(Simulate());
  ASSERT_NO_FATAL_FAILURE(WritePlaylists());
  int code = -1;
  const std::string out = RunCommand(std::string(SEGUE_BINARY) + " eval retrieval --events " + path("events.ndjson") +
                                         " --catalog " + path("tracks.ndjson") + " --playlists " +
                                         path("playlists.ndjson") + " --bootstrap 50 --json 2>/dev/null",
                                     &code);
  ASSERT_EQ(code, 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  const size_t queries = j.at("queries").get<size_t>();
  ASSERT_GT(queries, 0u);
  EXPECT_LE(j.at("discovery").at("queries").get<size_t>(), queries);
  for (const nlohmann::json* models : {&j.at("models"), &j.at("discovery").at("models")}) {
    for (const char* name : kBaselines) {
      const nlohmann::json& m = models->at(name);
      for (const char* key : kMetrics) EXPECT_TRUE(m.contains(key)) << name << " " << key;
      EXPECT_TRUE(m.at("r_precision").is_null()) << name;  // one target per query
      EXPECT_TRUE(m.at("recall@10").is_number()) << name;
      EXPECT_LE(m.at("recall@10").get<double>(), m.at("recall@100").get<double>()) << name;
    }
  }
  EXPECT_EQ(j.at("models").at("popularity").at("queries").get<size_t>(), queries);
  // own_history can never find a track new to the listener.
  EXPECT_EQ(j.at("discovery").at("models").at("own_history").at("recall@100").get<double>(), 0.0);
  const nlohmann::json& p = j.at("playlists");
  EXPECT_EQ(p.at("playlists").get<size_t>(), 10u);
  ASSERT_GT(p.at("queries").get<size_t>(), 0u);
  EXPECT_EQ(p.at("models").at("session_knn").at("r_precision").get<double>(), 1.0);
}

// Several --events files are one corpus: the same file twice is all duplicates (dropped by event_id),
// so the queries are the same as with it once.
TEST_F(EvalRetrievalCliTest, EventFilesAreMergedAndDeduplicated) {
  ASSERT_NO_FATAL_FAILURE(Simulate());
  int code = -1;
  const std::string base = std::string(SEGUE_BINARY) + " eval retrieval --bootstrap 0 --json --catalog " +
                           path("tracks.ndjson") + " --events " + path("events.ndjson");
  const std::string once = RunCommand(base + " 2>/dev/null", &code);
  ASSERT_EQ(code, 0) << once;
  const std::string twice = RunCommand(base + " " + path("events.ndjson") + " 2>/dev/null", &code);
  ASSERT_EQ(code, 0) << twice;
  const nlohmann::json a = nlohmann::json::parse(once), b = nlohmann::json::parse(twice);
  EXPECT_EQ(a.at("dataset").at("duplicate_events").get<size_t>(), 0u);
  EXPECT_EQ(b.at("dataset").at("duplicate_events").get<size_t>(), a.at("dataset").at("events").get<size_t>());
  EXPECT_EQ(a.at("queries"), b.at("queries"));
  EXPECT_EQ(a.at("models"), b.at("models"));
}

TEST_F(EvalRetrievalCliTest, BadInputsFailWithAMessageNamingTheFileAndField) {
  int code = -1;
  std::string err = RunCommand(std::string(SEGUE_BINARY) + " eval retrieval 2>&1", &code);
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("--events"), std::string::npos) << err;

  Write("bad_playlists.ndjson", "{\"playlist_id\":\"a\",\"tracks\":[\"t1\"]}\n{\"playlist_id\":\"b\",\"tracks\":7}\n");
  err = RunCommand(std::string(SEGUE_BINARY) + " eval retrieval --playlists " + path("bad_playlists.ndjson") + " 2>&1", &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find(path("bad_playlists.ndjson") + ": line 2: field 'tracks'"), std::string::npos) << err;

  Write("junk.ndjson", "not json\n");
  err = RunCommand(std::string(SEGUE_BINARY) + " eval retrieval --events " + path("junk.ndjson") + " 2>&1", &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("line 1"), std::string::npos) << err;

  ASSERT_NO_FATAL_FAILURE(WritePlaylists());
  err = RunCommand(std::string(SEGUE_BINARY) + " eval retrieval --playlists " + path("playlists.ndjson") + " --model " +
                       dir_.string() + " 2>&1",
                   &code);
  EXPECT_EQ(code, 1);
  // A folder that is not a retrieval bundle: the loader's error names its missing config.json.
  EXPECT_NE(err.find(dir_.string() + "/config.json"), std::string::npos) << err;
}

// `segue train ranker` writes a bundle; `segue eval retrieval --ranker` adds "blend+xgboost" on the same
// queries, and refuses a ranker whose examples reach past its test split.
TEST_F(EvalRetrievalCliTest, TheRankerIsTrainedThenEvaluatedBesideTheBlend) {
  ASSERT_NO_FATAL_FAILURE(Simulate());
  const std::string data = " --events " + path("events.ndjson") + " --catalog " + path("tracks.ndjson");
  int code = -1;
  std::string out = RunCommand(std::string(SEGUE_BINARY) + " train ranker" + data + " --out " + path("ranker/v1") +
                                   " --rounds 10 --json 2>/dev/null",
                               &code);
  ASSERT_EQ(code, 0) << out;
  const nlohmann::json metrics = nlohmann::json::parse(out);
  EXPECT_GT(metrics.at("examples").get<size_t>(), 0u);
  EXPECT_TRUE(fs::exists(path("ranker/v1/model.ubj")));
  out = RunCommand(std::string(SEGUE_BINARY) + " eval retrieval" + data + " --ranker " + path("ranker/v1") +
                       " --bootstrap 20 --json 2>/dev/null",
                   &code);
  ASSERT_EQ(code, 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  const nlohmann::json& ranked = j.at("models").at("blend+xgboost");
  EXPECT_EQ(ranked.at("queries"), j.at("models").at("blend").at("queries"));
  EXPECT_TRUE(ranked.at("recall@10").is_number());
  EXPECT_EQ(ranked.at("errors").get<size_t>(), 0u);
  out = RunCommand(std::string(SEGUE_BINARY) + " eval retrieval" + data + " --ranker " + path("ranker/v1") +
                       " --train-fraction 0.7 2>&1",
                   &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("past this evaluation's --train-fraction"), std::string::npos) << out;
}

}  // namespace
