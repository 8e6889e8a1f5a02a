// End to end through `segue serve` with a disengagement model and a shadow-vs-treatment experiment: the
// treatment listener's skip burst is pushed to their stream, the shadow listener's is scored and
// recorded but never pushed, and the report shows the shadow trigger resolved by the listener's exit.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "../models/skip_burst_bundle.h"
#include "common/time_util.h"
#include "experiments/assignment.h"
#include "models/disengagement_bundle.h"
#include "replay/sse_client.h"
#include "recommend_fixture.h"
#include "server_process.h"

namespace segue::serving {
namespace {

namespace ex = segue::experiments;

// The first "<prefix><i>" the experiment puts in `arm`.
std::string ListenerInArm(const ex::ExperimentSpec& spec, size_t arm, const std::string& prefix) {
  for (int i = 0;; ++i) {
    const std::string user = segue::testing::Id(prefix, i);
    if (ex::AssignArm(spec, user) == arm) return user;
  }
}

class Burst {
 public:
  Burst(Client& client, std::string user) : client_(client), user_(std::move(user)) {}
  int Post(const std::string& type, const std::string& track) {
    const std::string id = user_ + "-" + std::to_string(++n_);
    return client_.Send(http::verb::post, "/v1/events", "[" + EventJson(id, user_, type, ts_, track) + "]").status;
  }
  // A completed play, then play + skip pairs until `fired()` (at most 8).
  void Run(const std::function<bool()>& fired) {
    ASSERT_EQ(Post("play", "t0"), 202);
    ts_ += 199'000;
    ASSERT_EQ(Post("complete", "t0"), 202);
    for (int i = 1; i <= 8; ++i) {
      ts_ += 1'000;
      ASSERT_EQ(Post("play", segue::testing::Id("t", i * 2)), 202);
      ts_ += 4'000;
      ASSERT_EQ(Post("skip", segue::testing::Id("t", i * 2)), 202);
      if (fired()) return;
    }
    FAIL() << "no trigger after 8 skips for " << user_;
  }
  int64_t& ts() { return ts_; }

 private:
  Client& client_;
  std::string user_;
  int n_ = 0;
  int64_t ts_ = NowMs() - 600'000;
};

TEST(ExperimentsE2eTest, ShadowListenerIsScoredButNeverPushedTreatmentListenerIsPushed) {
  testing::TempDir dir;
  ASSERT_TRUE(SaveBundle(segue::testing::TrainSkipBurstBundle(5000, 1500, 21, 6), dir.path() + "/models/v1").ok());
  const std::string config = dir.path() + "/segue.toml";
  std::ofstream(config) << "models_dir = \"" << dir.path() << "/models\"\n[log]\nmin_free_bytes = 0\n"
                        << "[[experiments]]\nid = \"push-v1\"\n"
                        << "[[experiments.arms]]\nname = \"control\"\nkind = \"shadow\"\n"
                        << "[[experiments.arms]]\nname = \"treat\"\nkind = \"treatment\"\n";
  ex::ExperimentSpec spec;
  spec.id = "push-v1";
  spec.arms = {{"control", ex::ArmKind::kShadow, 1, 0, ""}, {"treat", ex::ArmKind::kTreatment, 1, 0, ""}};
  const std::string shadow = ListenerInArm(spec, 0, "s"), treated = ListenerInArm(spec, 1, "t");

  ServerProcess server(dir.path() + "/data", config, dir.path() + "/server.log");
  ASSERT_GT(server.port(), 0) << server.first_line();
  ASSERT_TRUE(server.WaitReady());
  Client client(server.port());
  ASSERT_EQ(client.Send(http::verb::post, "/v1/tracks", FixtureTracksJson()).status, 200);
  ASSERT_EQ(client.Send(http::verb::post, "/v1/events", FixtureOtherListenersJson(NowMs() - 3'600'000)).status, 202);

  auto shadow_stream = SseClient::Open("127.0.0.1", std::to_string(server.port()), "/v1/users/" + shadow + "/stream");
  auto treated_stream = SseClient::Open("127.0.0.1", std::to_string(server.port()), "/v1/users/" + treated + "/stream");
  ASSERT_TRUE(shadow_stream.ok() && treated_stream.ok());

  Burst treated_burst(client, treated);
  Result<SseEvent> pushed = Status::DeadlineExceeded("none");
  treated_burst.Run([&] {
    pushed = (*treated_stream)->Next(std::chrono::seconds(3));
    return pushed.ok();
  });
  ASSERT_TRUE(pushed.ok());
  EXPECT_EQ(nlohmann::json::parse(pushed->data)["user_id"], treated);

  const std::string shadow_trigger =
      R"(segue_experiment_triggers_total{experiment="push-v1",arm="control",action="shadow"} 1)";
  Burst shadow_burst(client, shadow);
  shadow_burst.Run([&] {
    for (int i = 0; i < 30; ++i) {
      if (client.Send(http::verb::get, "/metrics").body.find(shadow_trigger) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  });
  EXPECT_FALSE((*shadow_stream)->Next(std::chrono::seconds(2)).ok()) << "the shadow listener was pushed to";
  // The shadow listener leaves a minute after the trigger: within the horizon, a true positive.
  shadow_burst.ts() += 60'000;
  ASSERT_EQ(shadow_burst.Post("exit", ""), 202);

  nlohmann::json report;
  for (int i = 0; i < 30; ++i) {
    report = nlohmann::json::parse(client.Send(http::verb::get, "/v1/experiments/push-v1/report").body);
    if (report["arms"][0]["metrics"]["trigger_precision"]["n"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The fixture's other listeners (o0..o9) are in the experiment too.
  int others_in_control = 0;
  for (int i = 0; i < 10; ++i) others_in_control += ex::AssignArm(spec, segue::testing::Id("o", i)) == 0;
  const nlohmann::json& control = report["arms"][0];
  EXPECT_EQ(control["name"], "control");
  EXPECT_EQ(control["listeners"], 1 + others_in_control) << report.dump();
  EXPECT_EQ(control["metrics"]["trigger_precision"]["value"], 1.0) << report.dump();
  EXPECT_EQ(control["metrics"]["trigger_precision"]["n"], 1);
  const nlohmann::json& treat = report["arms"][1];
  EXPECT_EQ(treat["listeners"], 1 + 10 - others_in_control);
  // One trigger in the arm's sessions; pushed triggers are no precision samples.
  EXPECT_DOUBLE_EQ(treat["metrics"]["trigger_rate"]["value"].get<double>() * treat["sessions"].get<double>(), 1.0);
  EXPECT_EQ(treat["metrics"]["trigger_precision"]["n"], 0);
  const std::string metrics = client.Send(http::verb::get, "/metrics").body;
  EXPECT_NE(metrics.find("segue_trigger_pushes_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("segue_trigger_pushes_withheld_total 1\n"), std::string::npos);
}

// A batch of `listeners` × `pairs` play + end events (skip every third), one listener after another;
// with `exit`, each listener's batch ends with an exit.
std::string Batch(const std::string& prefix, int listeners, int pairs, bool exit, int64_t t0) {
  std::string out = "[";
  for (int u = 0; u < listeners; ++u) {
    const std::string user = segue::testing::Id("l", u);
    int64_t ts = t0;
    for (int i = 0; i < pairs; ++i) {
      const std::string track = segue::testing::Id("t", i);
      out += (out.size() > 1 ? "," : "") + EventJson(prefix + user + segue::testing::Id("p", i), user, "play", ts, track);
      ts += 20'000;
      out += "," + EventJson(prefix + user + segue::testing::Id("e", i), user, (i + u) % 3 ? "complete" : "skip", ts, track);
      ts += 1'000;
    }
    if (exit) out += "," + EventJson(prefix + user + "x", user, "exit", ts, "");
  }
  return out + "]";
}

std::string ReportWithoutTime(Client& client) {
  nlohmann::json report = nlohmann::json::parse(client.Send(http::verb::get, "/v1/experiments/push-v1/report").body);
  report.erase("generated_at");
  return report.dump();
}

// Statistics saved with a sessions snapshot, then more events, then kill -9: the restart replays the tail
// after the snapshot into the statistics, so the report is the same as before the kill.
TEST(ExperimentsE2eTest, StatisticsSurviveKill9WithTheTailReplayed) {
  testing::TempDir dir;
  const std::string config = dir.path() + "/segue.toml";
  // A snapshot (and statistics save) after 500 applied events, none by time.
  std::ofstream(config) << "[log]\nmin_free_bytes = 0\n[sessions]\nsnapshot_interval_s = 86400\n"
                        << "snapshot_every_events = 500\n"
                        << "[[experiments]]\nid = \"push-v1\"\n"
                        << "[[experiments.arms]]\nname = \"control\"\nkind = \"shadow\"\n"
                        << "[[experiments.arms]]\nname = \"treat\"\n";
  const std::string stats = dir.path() + "/data/experiments/stats.json";
  const int64_t t0 = NowMs() - 3'600'000;
  std::string before;
  {
    ServerProcess server(dir.path() + "/data", config, dir.path() + "/server.log");
    ASSERT_TRUE(server.WaitReady());
    Client client(server.port());
    ASSERT_EQ(client.Send(http::verb::post, "/v1/events", Batch("a", 25, 10, false, t0)).status, 202);  // 500
    for (int i = 0; i < 100 && !std::filesystem::exists(stats); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(std::filesystem::exists(stats)) << "no statistics saved after the snapshot";
    // 200 more: below the snapshot threshold, so only the log has them when the server is killed.
    ASSERT_EQ(client.Send(http::verb::post, "/v1/events", Batch("b", 40, 2, true, t0 + 600'000)).status, 202);
    ASSERT_EQ(client.Send(http::verb::get, "/v1/users/l0/session").status, 200);  // waits until applied
    before = ReportWithoutTime(client);
    server.Signal(SIGKILL);
  }
  ServerProcess server(dir.path() + "/data", config, dir.path() + "/server.log");
  ASSERT_TRUE(server.WaitReady());
  Client client(server.port());
  EXPECT_EQ(ReportWithoutTime(client), before);
  const nlohmann::json report = nlohmann::json::parse(before);
  EXPECT_EQ(report["arms"][0]["listeners"].get<int>() + report["arms"][1]["listeners"].get<int>(), 40);
  EXPECT_EQ(report["arms"][0]["sessions"].get<int>() + report["arms"][1]["sessions"].get<int>(), 40);
}

}  // namespace
}  // namespace segue::serving
