// End-to-end: `segue serve` as a separate process. Acknowledged events must survive SIGKILL, sessions
// must be restored after a restart, and SIGTERM must shut the server down cleanly with exit code 0.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "tests/serving/server_process.h"
#include "../models/synthetic_features.h"
#include "common/time_util.h"
#include "log/event_log.h"
#include "models/dataset.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_scorer.h"
#include "models/disengagement_trainer.h"

namespace segue::serving {
namespace {

class ServeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/data";
    config_ = dir_.path() + "/segue.toml";
    std::ofstream(config_) << "[sessions]\nsnapshot_interval_s = 1\n[http]\nshutdown_grace_ms = 5000\n";
    stderr_ = dir_.path() + "/server.log";
  }
  std::string ServerLog() {
    std::ifstream in(stderr_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  testing::TempDir dir_;
  std::string data_, config_, stderr_;
};

TEST_F(ServeIntegrationTest, AcknowledgedEventsAndSessionsSurviveSigkill) {
  const int64_t base = NowMs() - 3600 * 1000;
  std::map<std::string, std::string> sessions_before;
  std::set<std::string> acked;  // event ids whose batch was acknowledged with 202
  {
    ServerProcess server(data_, config_, stderr_);
    ASSERT_GT(server.port(), 0) << "first stdout line: '" << server.first_line() << "'\n" << ServerLog();
    ASSERT_TRUE(server.WaitReady()) << ServerLog();
    Client client(server.port());

    Reply tracks = client.Send(http::verb::post, "/v1/tracks",
                               R"([{"id":"trk1","title":"One","artist":"A","duration_ms":200000}])");
    ASSERT_EQ(tracks.status, 200) << tracks.body;

    // Phase 1: settled users (their sessions are compared after the restart). Each batch mixes valid
    // events, a duplicate and an invalid event.
    for (int u = 0; u < 5; ++u) {
      std::string user = "settled" + std::to_string(u);
      auto events = UserEvents(user, 40, base);
      for (size_t i = 0; i < events.size(); i += 10) {
        std::string body = "[";
        for (size_t j = i; j < i + 10; ++j) body += events[j].second + ",";
        body += events[i].second + ",";                       // duplicate inside the batch
        body += R"({"event_id":"bad","user_id":"x","type":"jump","ts":1})" "]";  // invalid
        Reply r = client.Send(http::verb::post, "/v1/events", body);
        ASSERT_EQ(r.status, 202) << r.body;
        auto j = nlohmann::json::parse(r.body);
        EXPECT_EQ(j["accepted"], 10);
        EXPECT_EQ(j["duplicates"], 1);
        ASSERT_EQ(j["rejected"].size(), 1u);
        EXPECT_EQ(j["rejected"][0]["index"], 11);
        EXPECT_EQ(j["rejected"][0]["field"], "type");
        for (size_t k = i; k < i + 10; ++k) acked.insert(events[k].first);
      }
      Reply s = client.Send(http::verb::get, "/v1/users/" + user + "/session");
      ASSERT_EQ(s.status, 200) << s.body;
      sessions_before[user] = s.body;
    }
    EXPECT_EQ(client.Send(http::verb::get, "/v1/users/nobody/session").status, 404);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // let a periodic snapshot happen

    // Phase 2: load from several connections; SIGKILL while it runs (after some batches were acked).
    const size_t settled = acked.size();
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<std::thread> loaders;
    for (int t = 0; t < 3; ++t) {
      loaders.emplace_back([&, t] {
        Client c(server.port());
        for (int k = 0; k < 3000 && !stop; ++k) {
          std::string body;
          std::vector<std::string> ids;
          std::string user = testing::Id("loaded", t * 100 + k % 20);
          for (int j = 0; j < 50; ++j) {
            ids.push_back(testing::Id("L", (int64_t{t} * 10000 + k) * 100 + j));
            body += EventJson(ids.back(), user, j % 2 ? "skip" : "play", base + k * 1000 + j * 10, "trk1") + "\n";
          }
          Reply r = c.Send(http::verb::post, "/v1/events", body, "application/x-ndjson");
          if (r.status != 202) break;  // killed
          std::lock_guard lock(mu);
          acked.insert(ids.begin(), ids.end());
        }
      });
    }
    for (int i = 0; i < 2000; ++i) {
      {
        std::lock_guard lock(mu);
        if (acked.size() >= settled + 600) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // kill with batches in flight
    int status = server.Signal(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status));
    stop = true;
    for (auto& t : loaders) t.join();
    ASSERT_GE(acked.size(), settled + 600) << "the load phase acknowledged too little before the kill";
  }

  {
    ServerProcess server(data_, config_, stderr_);
    ASSERT_GT(server.port(), 0) << ServerLog();
    ASSERT_TRUE(server.WaitReady()) << ServerLog();
    Client client(server.port());
    for (const auto& [user, before] : sessions_before) {
      Reply s = client.Send(http::verb::get, "/v1/users/" + user + "/session");
      ASSERT_EQ(s.status, 200) << user;
      EXPECT_EQ(s.body, before) << user;
    }
    Reply track = client.Send(http::verb::get, "/v1/tracks/trk1");
    ASSERT_EQ(track.status, 200) << "the catalog did not survive the kill";
    EXPECT_EQ(nlohmann::json::parse(track.body)["title"], "One");
    Reply metrics = client.Send(http::verb::get, "/metrics");
    EXPECT_NE(metrics.body.find("# TYPE segue_ingest_latency_seconds histogram"), std::string::npos);

    // SIGTERM: clean exit 0 (final snapshot, log flushed).
    int status = server.Signal(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << ServerLog();
    EXPECT_EQ(WEXITSTATUS(status), 0) << ServerLog();
  }

  // Every acknowledged event is in the log.
  EventLogOptions o;
  o.dir = data_;
  o.read_only = true;
  auto log = EventLog::Open(o);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::set<std::string> stored;
  ASSERT_TRUE((*log)->Scan({}, [&](const LoggedEvent& e) {
                    stored.insert(e.event.event_id);
                    return true;
                  }).ok());
  size_t missing = 0;
  for (const std::string& id : acked) missing += !stored.count(id);
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged events";
  EXPECT_FALSE(stored.count("bad"));
}

TEST_F(ServeIntegrationTest, BadConfigFailsWithClearError) {
  std::ofstream(config_) << "[http]\nmax_conections = 3\n";
  ServerProcess server(data_, config_, stderr_);
  EXPECT_EQ(server.port(), 0);
  int status = server.Signal(0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(ServerLog().find("http.max_conections: unknown key"), std::string::npos) << ServerLog();
}


// Disengagement scoring (issue #3): a corrupt newest bundle is reported and the server keeps serving
// without scoring; with a good bundle every decision point is scored and shown on the session.
TEST_F(ServeIntegrationTest, KeepsServingOnACorruptModelBundleAndScoresWithAGoodOne) {
  const std::string models = dir_.path() + "/models";
  auto set = segue::testing::MakeSkipBurstSet(300, 1);
  TrainOptions options;
  options.max_epochs = 1;
  auto trained = TrainDisengagementTransformer(set.x, set.y, set.x, set.y, options);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  DisengagementBundle bundle;
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.architecture = trained->architecture;
  bundle.weights = trained->weights;
  ASSERT_TRUE(SaveBundle(bundle, models + "/v1").ok());
  ASSERT_TRUE(SaveBundle(bundle, models + "/v2").ok());
  std::ofstream(models + "/v2/weights.bin", std::ios::trunc) << "not weights";
  std::ofstream(config_, std::ios::trunc) << "models_dir = \"" << models << "\"\n[sessions]\nsnapshot_interval_s = 1\n";

  std::map<std::string, std::string> bodies;  // NDJSON per listener
  for (const char* user : {"listener1", "listener2"}) {
    for (const auto& e : UserEvents(user, 24, NowMs() - 600'000)) bodies[user] += e.second + "\n";
  }
  auto post_user = [&bodies](Client& client, const std::string& user) {
    return client.Send(http::verb::post, "/v1/events", bodies[user], "application/x-ndjson").status;
  };
  {
    ServerProcess server(data_, config_, stderr_);
    ASSERT_GT(server.port(), 0) << ServerLog();
    ASSERT_TRUE(server.WaitReady()) << ServerLog();
    Client client(server.port());
    ASSERT_EQ(post_user(client, "listener1"), 202);
    Reply s = client.Send(http::verb::get, "/v1/users/listener1/session");
    ASSERT_EQ(s.status, 200);
    auto j = nlohmann::json::parse(s.body);
    ASSERT_TRUE(j.contains("disengagement_score")) << s.body;
    EXPECT_TRUE(j["disengagement_score"].is_null());
    EXPECT_TRUE(j["last_trigger"].is_null());
    EXPECT_NE(ServerLog().find("disengagement model not loaded"), std::string::npos) << ServerLog();
    EXPECT_NE(ServerLog().find("weights.bin"), std::string::npos) << ServerLog();
    int status = server.Signal(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << ServerLog();
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  std::filesystem::remove_all(models + "/v2");
  {
    ServerProcess server(data_, config_, stderr_);
    ASSERT_GT(server.port(), 0) << ServerLog();
    ASSERT_TRUE(server.WaitReady()) << ServerLog();
    Client client(server.port());
    ASSERT_EQ(post_user(client, "listener2"), 202);
    Reply s = client.Send(http::verb::get, "/v1/users/listener2/session");
    ASSERT_EQ(s.status, 200);
    auto j = nlohmann::json::parse(s.body);
    ASSERT_TRUE(j["disengagement_score"].is_number()) << s.body;
    // The score the server shows is the one training's path (dataset replay of the same events, the
    // same bundle) gives at the listener's last decision point.
    const std::string file = dir_.path() + "/listener2.ndjson";
    std::ofstream(file) << bodies["listener2"];
    Result<EventFile> events = ReadEventFile(file);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    auto offline_scorer = DisengagementScorer::Load(models);
    ASSERT_TRUE(offline_scorer.ok()) << offline_scorer.status().ToString();
    Catalog catalog;
    float offline_score = -1;
    ASSERT_TRUE(ForEachExample(std::move(events->events), &catalog, DatasetOptions{},
                               [&](const ExampleInfo& info, const FeatureVector& f) {
                                 offline_score = (*offline_scorer)->OnFeatures("listener2", info.ts_ms, f).score;
                               })
                    .ok());
    EXPECT_EQ(static_cast<float>(j["disengagement_score"].get<double>()), offline_score) << s.body;
    Reply metrics = client.Send(http::verb::get, "/metrics");
    EXPECT_NE(metrics.body.find("segue_disengagement_score_count"), std::string::npos);
    EXPECT_EQ(metrics.body.find("segue_disengagement_scored_total 0"), std::string::npos);
    int status = server.Signal(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << ServerLog();
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
}

}  // namespace
}  // namespace segue::serving
