// Soak and load tests (label `slow`, `make test-slow`; not in CI): `segue serve` as a process.
//  - kill -9 soak: rounds of load from several connections, each ended by SIGKILL with batches in
//    flight, on the same data directory; every acknowledged event must be in the log exactly once.
//  - load: `segue replay` of a simulated week of 1,000 listeners against the server; every event must be
//    acknowledged and stored, and the server must stop cleanly.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "common/time_util.h"
#include "log/event_log.h"
#include "tests/serving/server_process.h"
#include "tests/testing/run_command.h"

namespace segue::serving {
namespace {

class SoakTest : public ::testing::Test {
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
  // event_id → times stored, read after the server is gone.
  std::map<std::string, int> StoredIds() {
    EventLogOptions o;
    o.dir = data_;
    o.read_only = true;
    std::map<std::string, int> stored;
    auto log = EventLog::Open(o);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    if (!log.ok()) return stored;
    EXPECT_TRUE((*log)->Scan({}, [&](const LoggedEvent& e) {
                         ++stored[e.event.event_id];
                         return true;
                       }).ok());
    return stored;
  }

  testing::TempDir dir_;
  std::string data_, config_, stderr_;
};

TEST_F(SoakTest, EveryAcknowledgedEventSurvivesRepeatedKillNine) {
  constexpr int kRounds = 20;
  const int64_t base = NowMs() - 3600 * 1000;
  std::set<std::string> acked;
  std::mutex mu;
  for (int round = 0; round < kRounds; ++round) {
    ServerProcess server(data_, config_, stderr_);
    ASSERT_GT(server.port(), 0) << "round " << round << "\n" << ServerLog();
    ASSERT_TRUE(server.WaitReady()) << "round " << round << "\n" << ServerLog();
    const size_t before = acked.size();
    std::atomic<bool> stop{false};
    std::vector<std::thread> loaders;
    for (int t = 0; t < 3; ++t) {
      loaders.emplace_back([&, t] {
        Client c(server.port());
        for (int k = 0; k < 100000 && !stop; ++k) {
          std::string body;
          std::vector<std::string> ids;
          const std::string user = testing::Id("soak", t * 100 + k % 20);
          for (int j = 0; j < 50; ++j) {
            ids.push_back(testing::Id("r", round) + testing::Id("-", (int64_t{t} * 100000 + k) * 100 + j));
            body += EventJson(ids.back(), user, j % 2 ? "skip" : "play", base + k * 1000 + j * 10, "trk1") + "\n";
          }
          // Each round re-sends a few of the previous round's ids: de-duplication must hold across
          // kills, so nothing is stored twice.
          if (round > 0 && k < 5) {
            body += EventJson(testing::Id("r", round - 1) + testing::Id("-", (int64_t{t} * 100000 + k) * 100), user,
                              "play", base, "trk1") + "\n";
          }
          Reply r = c.Send(http::verb::post, "/v1/events", body, "application/x-ndjson");
          if (r.status != 202) break;  // killed
          std::lock_guard lock(mu);
          acked.insert(ids.begin(), ids.end());
        }
      });
    }
    for (int i = 0; i < 4000; ++i) {
      {
        std::lock_guard lock(mu);
        if (acked.size() >= before + 6000) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // kill with batches in flight
    const int status = server.Signal(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status)) << "round " << round;
    stop = true;
    for (auto& t : loaders) t.join();
    ASSERT_GE(acked.size(), before + 6000) << "round " << round << " acknowledged too little before the kill";
  }
  {
    // The last restart recovers and stops cleanly.
    ServerProcess server(data_, config_, stderr_);
    ASSERT_GT(server.port(), 0) << ServerLog();
    ASSERT_TRUE(server.WaitReady()) << ServerLog();
    const int status = server.Signal(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << ServerLog();
    EXPECT_EQ(WEXITSTATUS(status), 0) << ServerLog();
  }
  const std::map<std::string, int> stored = StoredIds();
  size_t missing = 0, twice = 0;
  for (const std::string& id : acked) missing += !stored.count(id);
  for (const auto& [id, n] : stored) twice += n > 1;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged events";
  EXPECT_EQ(twice, 0u) << "events stored more than once";
}

TEST_F(SoakTest, ReplayOfASimulatedWeekIsFullyAcknowledgedAndStored) {
  const std::string events = dir_.path() + "/events.ndjson";
  int code = -1;
  test_support::RunCommand(std::string(SEGUE_BINARY) + " simulate --users 1000 --days 7 --tracks 5000 --seed 5 --quiet --out " +
                               events + " 2>&1",
                           &code);
  ASSERT_EQ(code, 0);
  size_t lines = 0;
  {
    std::ifstream in(events);
    for (std::string line; std::getline(in, line);) lines += !line.empty();
  }
  ASSERT_GT(lines, 150'000u);

  ServerProcess server(data_, config_, stderr_);
  ASSERT_GT(server.port(), 0) << ServerLog();
  ASSERT_TRUE(server.WaitReady()) << ServerLog();
  const std::string out = test_support::RunCommand(std::string(SEGUE_BINARY) + " replay " + events +
                                                       " --target http://127.0.0.1:" + std::to_string(server.port()) +
                                                       " --connections 8 --batch 200 --json 2>/dev/null",
                                                   &code);
  EXPECT_EQ(code, 0) << out;
  const nlohmann::json report = nlohmann::json::parse(out);
  EXPECT_TRUE(report["errors"].empty()) << out;
  EXPECT_EQ(report["failed_events"], 0) << out;
  const size_t accepted = report["accepted"].get<size_t>();
  const size_t duplicates = report["duplicates"].get<size_t>();
  EXPECT_EQ(accepted + duplicates, lines) << out;

  Client client(server.port());
  Reply metrics = client.Send(http::verb::get, "/metrics");
  EXPECT_NE(metrics.body.find("segue_log_events " + std::to_string(accepted) + "\n"), std::string::npos)
      << "the server's log does not hold the " << accepted << " accepted events";
  const int status = server.Signal(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << ServerLog();
  EXPECT_EQ(WEXITSTATUS(status), 0) << ServerLog();
  EXPECT_EQ(StoredIds().size(), accepted);
}

}  // namespace
}  // namespace segue::serving
