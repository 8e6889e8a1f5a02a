// Test fixture for `segue serve --bus` end to end: real `segue serve` processes sharing one Redis deployment
// (started by the test), a simulated stream replayed into one of them, another killed with SIGKILL
// mid-stream (KillOneOf). Every acknowledged event must be applied exactly once in effect (each listener's
// session, read over HTTP from a surviving node, equals what a single embedded-log server holds after the
// same stream) and the dead node's partitions must be owned again within the lease time plus a stated slack.
#pragma once

#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../log/test_util.h"
#include "bus/redis_client.h"
#include "bus/redis_keys.h"
#include "nodes/node_keys.h"
#include "tests/bus/redis_fixture.h"
#include "tests/serving/server_process.h"
#include "tests/testing/run_command.h"

namespace segue::serving {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

inline Millis Since(Clock::time_point t) { return std::chrono::duration_cast<Millis>(Clock::now() - t); }

inline constexpr uint32_t kPartitions = 16;
inline constexpr int64_t kLeaseMs = 1000;

inline double Sample(Client& client, const std::string& series) {
  const std::string metrics = client.Send(http::verb::get, "/metrics").body;
  const size_t at = metrics.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stod(metrics.substr(at + series.size() + 2));
}

inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

inline std::vector<std::string> Listeners(const std::string& ndjson) {
  std::set<std::string> users;
  std::ifstream in(ndjson);
  for (std::string line; std::getline(in, line);) users.insert(nlohmann::json::parse(line)["user_id"].get<std::string>());
  return {users.begin(), users.end()};
}

// segue replay of the whole file; its JSON report.
inline nlohmann::json Replay(const std::string& file, int port, double rate) {
  int code = 0;
  const std::string out = test_support::RunCommand(std::string(SEGUE_BINARY) + " replay " + file +
                                                       " --target http://127.0.0.1:" + std::to_string(port) +
                                                       " --connections 4 --batch 50 --json --rate " +
                                                       std::to_string(rate) + " 2>/dev/null",
                                                   &code);
  EXPECT_EQ(code, 0) << out;
  return nlohmann::json::parse(out, nullptr, false);
}

// Every listener's GET /v1/users/{id}/session body from the node at `port`.
inline std::map<std::string, std::string> Sessions(int port, const std::vector<std::string>& users) {
  Client client(port);
  std::map<std::string, std::string> out;
  for (const std::string& u : users) {
    Reply r = client.Send(http::verb::get, "/v1/users/" + u + "/session");
    out[u] = std::to_string(r.status) + " " + r.body;
  }
  return out;
}

// True once every partition's checkpoint in the online store covers the last offset appended to it.
inline bool AllCommitted(bus::RedisClient& redis) {
  for (uint32_t p = 0; p < kPartitions; ++p) {
    auto end = redis.Command({{"GET", bus::OffsetKey(p)}});
    auto checkpoint = redis.Command({{"GET", nodes::CheckpointKey(p)}});
    if (!end.ok() || !checkpoint.ok()) return false;
    if (end->str != checkpoint->str) return false;
  }
  return true;
}

// Entries in every partition's stream: each event stored once makes this the number of distinct events.
inline uint64_t StoredEvents(bus::RedisClient& redis) {
  uint64_t n = 0;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    auto len = redis.Command({{"XLEN", bus::EventsKey(p)}});
    n += len.ok() ? static_cast<uint64_t>(len->integer) : 0;
  }
  return n;
}

// How many listeners' sessions at the node on `port` differ from `expected`; the first three are failures.
inline size_t DifferingSessions(const std::map<std::string, std::string>& expected, int port,
                                const std::vector<std::string>& users) {
  const std::map<std::string, std::string> got = Sessions(port, users);
  size_t differ = 0;
  for (const auto& [user, body] : expected) {
    if (got.at(user) != body && ++differ <= 3) ADD_FAILURE() << user << "\nbus:      " << got.at(user) << "\nembedded: " << body;
  }
  return differ;
}

class ServeBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SEGUE_SKIP_WITHOUT_REDIS();
    events_ = dir_.path() + "/events.ndjson";
    int code = 0;
    test_support::RunCommand(std::string(SEGUE_BINARY) + " simulate --users 300 --days 1 --quiet --out " + events_,
                             &code);
    ASSERT_EQ(code, 0);
    users_ = Listeners(events_);
    // No idle eviction in either run: sessions are compared as the stream left them.
    std::ofstream(dir_.path() + "/embedded.toml") << "[sessions]\nevict_interval_s = 86400\n";
  }

  // The sessions a single server on the embedded log holds after the stream.
  std::map<std::string, std::string> EmbeddedSessions() {
    ServerProcess server(dir_.path() + "/embedded", dir_.path() + "/embedded.toml", dir_.path() + "/embedded.log");
    EXPECT_TRUE(server.WaitReady());
    const nlohmann::json report = Replay(events_, server.port(), 0);
    EXPECT_EQ(report.value("failed_events", -1), 0) << report.dump();
    return Sessions(server.port(), users_);
  }

  // `bus_extra`: more lines of the node's [bus] table (e.g. "wait_replicas = 1\n").
  std::string NodeConfig(const std::string& url, const std::string& id, const std::string& bus_extra) {
    const std::string path = dir_.path() + "/" + id + ".toml";
    std::ofstream(path) << "[sessions]\nevict_interval_s = 86400\n[bus]\nurl = \"" << url << "\"\nnode_id = \"" << id
                        << "\"\nlease_ms = " << kLeaseMs << "\n" << bus_extra;
    return path;
  }
  std::unique_ptr<ServerProcess> StartNode(const std::string& url, const std::string& id,
                                           const std::string& bus_extra = "") {
    auto node = std::make_unique<ServerProcess>(dir_.path() + "/" + id, NodeConfig(url, id, bus_extra),
                                                dir_.path() + "/" + id + ".log");
    EXPECT_TRUE(node->WaitReady()) << id;
    return node;
  }

  // Nodes "n0".."n{count-1}" on `url`, the stream replayed into n0 while the last node is SIGKILLed; checks
  // the takeover time and every listener's session (GET from n0) against the embedded-log server's.
  void KillOneOf(int count, const std::string& url) {
    const std::map<std::string, std::string> expected = EmbeddedSessions();
    std::vector<std::unique_ptr<ServerProcess>> nodes;
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < count; ++i) {
      nodes.push_back(StartNode(url, "n" + std::to_string(i)));
      clients.push_back(std::make_unique<Client>(nodes.back()->port()));
    }
    auto owned = [&](int i) { return Sample(*clients[i], "segue_node_partitions_owned"); };
    ASSERT_TRUE(WaitFor([&] {
      double all = 0;
      for (int i = 0; i < count; ++i) {
        if (owned(i) < kPartitions / count) return false;
        all += owned(i);
      }
      return all == kPartitions;
    }, 15s));

    // About 4 s of stream into n0; the last node is killed after 1 s, once it has applied some.
    std::ifstream in(events_);
    const double lines = static_cast<double>(std::count(std::istreambuf_iterator<char>(in), {}, '\n'));
    auto replay = std::async(std::launch::async, [&] { return Replay(events_, nodes[0]->port(), lines / 4); });
    std::this_thread::sleep_for(1000ms);
    ASSERT_TRUE(WaitFor([&] { return Sample(*clients.back(), "segue_node_events_applied_total") > 0; }, 10s));
    nodes.back()->Signal(SIGKILL);
    const auto killed = Clock::now();
    ASSERT_TRUE(WaitFor([&] {
      double all = 0;
      for (int i = 0; i + 1 < count; ++i) all += owned(i);
      return all == kPartitions;
    }, 15s));
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed).count();
    // Lease expiry, then up to one ownership round (lease/3) for a survivor to notice; 1.5 s of slack for a
    // loaded 2-core machine (the servers, Redis, the replay and the build share it).
    EXPECT_LE(took, kLeaseMs + kLeaseMs / 3 + 1500);

    const nlohmann::json report = replay.get();
    EXPECT_EQ(report.value("failed_events", -1), 0) << report.dump();
    auto client = bus::RedisClient::Connect({.seeds = bus::ParseRedisUrl(url).value(), .timeouts = {}, .max_rounds = 6});
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE(WaitFor([&] { return AllCommitted(**client); }, 30s));
    const size_t differ = DifferingSessions(expected, nodes[0]->port(), users_);
    EXPECT_EQ(differ, 0u) << "of " << expected.size() << " listeners";
    std::printf("%d nodes: takeover after kill -9: %lld ms (lease %lld ms); %zu listeners equal; entries claimed: %.0f\n",
                count, static_cast<long long>(took), static_cast<long long>(kLeaseMs), expected.size() - differ,
                Sample(*clients[0], "segue_node_events_claimed_total"));
  }

  segue::testing::TempDir dir_;
  std::string events_;
  std::vector<std::string> users_;
};

}  // namespace segue::serving
