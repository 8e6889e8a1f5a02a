// Runs the built `segue` binary: `segue simulate` (determinism through the CLI, --json summary) and
// `segue demo` (the whole loopback pipeline with a real `segue serve` child).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/run_command.h"

namespace {

namespace fs = std::filesystem;

using segue::test_support::RunCommand;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_sim_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CliTest, SimulateIsDeterministicAndReportsJson) {
  const std::string base = std::string(SEGUE_BINARY) + " simulate --users 80 --days 2 --tracks 500 --quiet --seed ";
  int code = -1;
  const std::string json = RunCommand(base + "5 --json --out " + (dir_ / "a.ndjson").string() + " --catalog-out " +
                                   (dir_ / "t.ndjson").string(),
                               &code);
  ASSERT_EQ(code, 0);
  RunCommand(base + "5 --out " + (dir_ / "b.ndjson").string(), &code);
  ASSERT_EQ(code, 0);
  RunCommand(base + "6 --out " + (dir_ / "c.ndjson").string(), &code);
  ASSERT_EQ(code, 0);
  const std::string a = Slurp(dir_ / "a.ndjson");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, Slurp(dir_ / "b.ndjson"));
  EXPECT_NE(a, Slurp(dir_ / "c.ndjson"));

  nlohmann::json summary = nlohmann::json::parse(json);
  EXPECT_EQ(summary["users"], 80);
  EXPECT_EQ(summary["tracks"], 500);
  EXPECT_EQ(summary["events"].get<size_t>(), static_cast<size_t>(std::count(a.begin(), a.end(), '\n')));
  EXPECT_GT(summary["skip_rate"].get<double>(), 0.2);
  const std::string tracks = Slurp(dir_ / "t.ndjson");
  EXPECT_EQ(std::count(tracks.begin(), tracks.end(), '\n'), 500);
}

TEST_F(CliTest, SimulateRejectsBadFlagsClearly) {
  int code = -1;
  RunCommand(std::string(SEGUE_BINARY) + " simulate --out " + (dir_ / "x").string() + " --start yesterday 2>" +
          (dir_ / "err").string(),
      &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(Slurp(dir_ / "err").find("--start"), std::string::npos);
  RunCommand(std::string(SEGUE_BINARY) + " simulate --users 10 --days 1 --out " + (dir_ / "nodir" / "x").string() +
          " 2>" + (dir_ / "err").string(),
      &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(Slurp(dir_ / "err").find("nodir"), std::string::npos);
}

TEST_F(CliTest, DemoRunsThePipelineAndCleansUp) {
  int code = -1;
  const std::string out =
      // The defaults (what `make demo` runs): much smaller histories train a disengagement model too weak
      // for its trigger to single out the skip burst.
      RunCommand(std::string(SEGUE_BINARY) + " demo --json 2>" + (dir_ / "err").string(), &code);
  ASSERT_EQ(code, 0) << Slurp(dir_ / "err");
  nlohmann::json report = nlohmann::json::parse(out);
  EXPECT_TRUE(report["ok"].get<bool>());
  const uint64_t events = report["simulate"]["events"];
  EXPECT_GT(events, 100u);
  EXPECT_EQ(report["replay"]["accepted"].get<uint64_t>() + report["replay"]["duplicates"].get<uint64_t>(), events);
  EXPECT_EQ(report["replay"]["rejected"], 0);
  EXPECT_EQ(report["catalog"]["tracks"], 3000);
  EXPECT_FALSE(report["sessions"].empty());
  EXPECT_EQ(report["shutdown"]["exit_code"], 0);
  EXPECT_FALSE(report.contains("dir"));  // removed, not kept
  const std::string address = report["server"]["address"];
  EXPECT_EQ(address.rfind("127.0.0.1:", 0), 0u);

  // Both models trained (their --json reports kept) and served.
  EXPECT_TRUE(report["train"]["disengagement"]["validation"].contains("roc_auc")) << report["train"].dump();
  EXPECT_GT(report["train"]["retrieval"]["tracks"].get<uint64_t>(), 0u);
  // The skip burst led to a push with nothing played in the session, and so did the later GET.
  const nlohmann::json& push = report["push"];
  EXPECT_GE(push["skips"].get<int>(), 1);
  EXPECT_GT(push["trigger_score"].get<double>(), 0.0);
  EXPECT_GT(push["event_to_push_ms"].get<double>(), 0.0);
  EXPECT_EQ(push["model_versions"].value("retriever", "").rfind("two_tower/", 0), 0u) << push["model_versions"];
  const std::set<std::string> played = push["played_in_session"].get<std::set<std::string>>();
  EXPECT_GE(played.size(), 2u);
  for (const nlohmann::json* rec : {&push, static_cast<const nlohmann::json*>(&report["recommendations"])}) {
    ASSERT_FALSE((*rec)["items"].empty()) << rec->dump();
    EXPECT_FALSE((*rec)["source"].get<std::string>().empty());
    for (const auto& item : (*rec)["items"]) {
      EXPECT_EQ(played.count(item["track_id"].get<std::string>()), 0u) << item["track_id"] << " was played in the session";
    }
  }
}

}  // namespace
