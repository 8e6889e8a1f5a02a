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

TEST_F(CliTest, DemoRunsTheClosedLoopAndCleansUp) {
  int code = -1;
  // Smaller than the defaults (about three minutes). With the simulator calibrated to the label (issue #13),
  // 200 listeners over 2 days and 3 live hours fired no push in some hours of the day; 4 days of history and 6
  // live hours gave 17 pushes in 16 s.
  const std::string out = RunCommand(std::string(SEGUE_BINARY) + " demo --users 200 --days 4 --live-hours 6 --json 2>" +
                                         (dir_ / "err").string(),
                                     &code);
  ASSERT_EQ(code, 0) << Slurp(dir_ / "err");
  nlohmann::json report = nlohmann::json::parse(out);
  EXPECT_TRUE(report["ok"].get<bool>());
  const uint64_t events = report["simulate"]["events"];
  EXPECT_GT(events, 100u);
  EXPECT_EQ(report["replay"]["accepted"].get<uint64_t>() + report["replay"]["duplicates"].get<uint64_t>(), events);
  EXPECT_EQ(report["replay"]["rejected"], 0);
  EXPECT_EQ(report["catalog"]["tracks"], 3000);
  EXPECT_EQ(report["shutdown"]["exit_code"], 0);
  EXPECT_FALSE(report.contains("dir"));  // removed, not kept
  const std::string address = report["server"]["address"];
  EXPECT_EQ(address.rfind("127.0.0.1:", 0), 0u);

  // Both models trained (their --json reports kept) and served.
  EXPECT_TRUE(report["train"]["disengagement"]["validation"].contains("roc_auc")) << report["train"].dump();
  EXPECT_GT(report["train"]["retrieval"]["tracks"].get<uint64_t>(), 0u);

  // The live listeners: events acknowledged, pushes received and offered, two arms with their sessions.
  const nlohmann::json& live = report["live"];
  EXPECT_EQ(live["listeners"], 200);
  EXPECT_GT(live["events"].get<uint64_t>(), 0u);
  EXPECT_EQ(live["rejected"], 0);
  EXPECT_GT(live["pushes"].get<uint64_t>(), 0u);
  EXPECT_GT(live["pushes_in_time"].get<uint64_t>(), 0u);
  // The experiment: the server withholds the shadow arm's pushes; the client-side arms use its assignment.
  ASSERT_EQ(live["arms"].size(), 2u);
  EXPECT_EQ(live["arms"][0]["name"], "shadow");
  EXPECT_EQ(live["arms"][0]["pushes"], 0);
  EXPECT_EQ(live["arms"][0]["accepted"], 0);
  EXPECT_EQ(live["arms"][1]["name"], "treatment");
  EXPECT_EQ(live["arms"][1]["pushes"], live["pushes"]);
  EXPECT_EQ(live["differences"].size(), 1u);
  const nlohmann::json& server_report = report["experiment"]["report"];
  ASSERT_EQ(server_report["arms"].size(), 2u) << report["experiment"].dump();
  EXPECT_EQ(server_report["arms"][0]["kind"], "shadow");
  EXPECT_GT(server_report["arms"][0]["sessions"].get<uint64_t>() + server_report["arms"][1]["sessions"].get<uint64_t>(), 0u);
  uint64_t sessions = 0;
  for (const nlohmann::json& arm : live["arms"]) sessions += arm["sessions"].get<uint64_t>();
  EXPECT_GT(sessions, 0u);
}

}  // namespace
