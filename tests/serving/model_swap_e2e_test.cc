// Hot swap under load, through `segue serve` as a process: while `segue replay` sends a simulated week
// (events and recommendation reads), new bundle versions of both models are dropped into the models
// folders and POST /v1/admin/models/reload swaps each in; no request fails, and every acknowledged event
// is in the log (`segue log export`). And `--retrain-interval` ([retrain] interval): the server retrains
// from its own log in a child process, gates the candidates and reports each run in
// segue_retrain_runs_total.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "server_process.h"
#include "tests/testing/run_command.h"

namespace segue::serving {
namespace {

namespace fs = std::filesystem;

using test_support::RunCommand;

constexpr char kToken[] = "model-swap-e2e-admin-token-0123";
constexpr char kLabelFlags[] = "--no-skip-head --horizon-min 5 --target-precision 0.8";

class ModelSwapE2eTest : public ::testing::Test {
 protected:
  // A simulated week of 60 listeners and a first version of both models trained on it (one epoch each).
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const std::string d = dir_->path(), bin = SEGUE_BINARY;
    int code = -1;
    RunCommand(bin + " simulate --users 60 --days 7 --tracks 300 --seed 5 --quiet --out " + d + "/events.ndjson" +
                   " --catalog-out " + d + "/tracks.ndjson",
               &code);
    ASSERT_EQ(code, 0);
    const std::string data = " --events " + d + "/events.ndjson --catalog " + d + "/tracks.ndjson --epochs 1 ";
    RunCommand(bin + " train disengagement" + data + kLabelFlags + " --out " + d + "/m/v0001 2>/dev/null", &code);
    ASSERT_EQ(code, 0);
    RunCommand(bin + " train retrieval" + data + " --out " + d + "/r/v0001 2>/dev/null", &code);
    ASSERT_EQ(code, 0);
    std::ofstream(d + "/token") << kToken;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string path(const std::string& name) { return dir_->path() + "/" + name; }

  // The server's config: both models, admin routes, and `extra` lines.
  std::string Config(const std::string& name, const std::string& extra) {
    const std::string config = path(name + ".toml");
    std::ofstream(config) << "models_dir = \"" << path("m") << "\"\n[log]\nmin_free_bytes = 0\nsync = false\n"
                          << "[recommend]\nretriever = \"two_tower\"\nretrieval_models_dir = \"" << path("r")
                          << "\"\n[admin]\ntoken_file = \"" << path("token") << "\"\n" << extra;
    return config;
  }

  static std::string Replay(int port, const std::string& flags, int* code) {
    return RunCommand(std::string(SEGUE_BINARY) + " replay " + path("events.ndjson") + " --target http://127.0.0.1:" +
                          std::to_string(port) + " --json " + flags + " 2>/dev/null",
                      code);
  }

  static nlohmann::json Reload(Client& client) {
    Reply r = client.Send(http::verb::post, "/v1/admin/models/reload", "", "", std::string("Bearer ") + kToken);
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  static testing::TempDir* dir_;
};

testing::TempDir* ModelSwapE2eTest::dir_ = nullptr;

TEST_F(ModelSwapE2eTest, SwapsUnderLoadFailNoRequestAndLoseNoEvent) {
  ServerProcess server(path("swap-data"), Config("swap", ""), path("swap-server.log"));
  ASSERT_GT(server.port(), 0) << server.first_line();
  ASSERT_TRUE(server.WaitReady());
  Client client(server.port());
  std::ifstream tracks(path("tracks.ndjson"));
  const std::string catalog((std::istreambuf_iterator<char>(tracks)), std::istreambuf_iterator<char>());
  ASSERT_EQ(client.Send(http::verb::post, "/v1/tracks", catalog, "application/x-ndjson").status, 200);

  // ~5 s of load: 13k events at 2,500/s and 100 recommendation reads/s; four swaps of both models in it.
  int replay_code = -1;
  std::string replay_out;
  std::thread load([&] {
    replay_out = Replay(server.port(), "--rate 2500 --read '/v1/users/{user}/recommendations?k=10' --read-rate 100",
                        &replay_code);
  });
  for (int v = 2; v <= 5; ++v) {
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    const std::string version = "v000" + std::to_string(v);
    fs::copy(path("m/v0001"), path("m/" + version), fs::copy_options::recursive);
    fs::copy(path("r/v0001"), path("r/" + version), fs::copy_options::recursive);
    const nlohmann::json j = Reload(client);
    EXPECT_EQ(j["disengagement"]["serving"], version) << j.dump();
    EXPECT_EQ(j["disengagement"]["swapped"], true) << j.dump();
    EXPECT_EQ(j["retrieval"]["serving"], "two_tower/" + version) << j.dump();
    EXPECT_EQ(j["retrieval"]["swapped"], true) << j.dump();
  }
  load.join();
  ASSERT_EQ(replay_code, 0) << replay_out;
  const nlohmann::json report = nlohmann::json::parse(replay_out);
  EXPECT_EQ(report["failed_events"], 0) << replay_out;
  EXPECT_EQ(report["rejected"], 0) << replay_out;
  EXPECT_TRUE(report["errors"].empty()) << replay_out;
  EXPECT_TRUE(report["reads"]["errors"].empty()) << replay_out;
  EXPECT_EQ(report["reads"]["ok"], report["reads"]["requests"]) << replay_out;
  EXPECT_GT(report["reads"]["requests"].get<size_t>(), 100u) << replay_out;
  EXPECT_GT(report["elapsed_s"].get<double>(), 3.6) << "the swaps happened under load";

  // Every acknowledged event is in the log (read-only export while the server runs).
  int code = -1;
  const std::string exported = RunCommand(std::string(SEGUE_BINARY) + " log export --data-dir " +
                                              path("swap-data") + " 2>/dev/null | wc -l", &code);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(std::stoull(exported), report["accepted"].get<uint64_t>());
  EXPECT_EQ(report["accepted"].get<uint64_t>() + report["duplicates"].get<uint64_t>(),
            report["events_sent"].get<uint64_t>());
}

TEST_F(ModelSwapE2eTest, RetrainIntervalRetrainsGatesAndCountsEachRun) {
  const std::string args = std::string("--epochs 1 --retrieval-epochs 1 ") + kLabelFlags;
  ServerProcess server(path("retrain-data"), Config("retrain", "[retrain]\ninterval = \"2s\"\nargs = \"" + args + "\"\n"),
                       path("retrain-server.log"));
  ASSERT_GT(server.port(), 0) << server.first_line();
  ASSERT_TRUE(server.WaitReady());
  Client client(server.port());
  int code = -1;
  const std::string replayed = Replay(server.port(), "", &code);
  ASSERT_EQ(code, 0) << replayed;
  // Wait for a run's verdict (training both models takes ~10 s at nice 19).
  const std::regex verdict(R"re(segue_retrain_runs_total\{result="(promoted|refused|failed)"\} ([0-9]+))re");
  std::map<std::string, int> runs;
  for (int i = 0; i < 240 && runs["promoted"] + runs["refused"] + runs["failed"] == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const std::string metrics = client.Send(http::verb::get, "/metrics").body;
    for (std::sregex_iterator it(metrics.begin(), metrics.end(), verdict), end; it != end; ++it) {
      runs[(*it)[1]] = std::stoi((*it)[2]);
    }
  }
  EXPECT_EQ(runs["failed"], 0);
  ASSERT_GE(runs["promoted"] + runs["refused"], 1) << "no retraining run finished";
  // Each model's candidate v0002 went through the gate: promoted into place or kept under refused/.
  for (const char* models : {"m", "r"}) {
    EXPECT_TRUE(fs::exists(path(std::string(models) + "/v0002/config.json")) ||
                fs::exists(path(std::string(models) + "/refused/v0002/REFUSED.json")))
        << models;
  }
  if (runs["promoted"] > 0) {  // the server swapped the promoted version in without waiting for its interval
    const nlohmann::json j = Reload(client);
    EXPECT_TRUE(j["disengagement"]["serving"] == "v0002" || j["retrieval"]["serving"] == "two_tower/v0002") << j.dump();
  }
}

}  // namespace
}  // namespace segue::serving
