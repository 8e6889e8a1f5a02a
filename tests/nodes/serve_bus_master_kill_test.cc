// `segue serve --bus` through a Redis Cluster failover: two nodes on 3 masters + 3 replicas with
// wait_replicas = 1 (an event is acknowledged once it is on a replica too), a simulated stream posted by a
// client that retries 503s, and the master of partition 0's slot SIGKILLed mid-stream. The cluster
// promotes its replica; every event that got a 202 is stored once and applied once in effect (each
// listener's session equals a single embedded-log server's after the same stream) and ingest resumes.
//
// With one replica per master, the promoted replica has none of its own, so WAIT 1 refuses every batch
// touching its slots (503) until the killed node is back as its replica: the test restarts it once the
// failover is seen, as an operator or a supervisor would (docs/scaling.md, "Durability policy"). About
// 13 s (the cluster forms in ~5 s, the failover takes ~2.5 s), so it stays in the default suite.
#include <atomic>

#include "bus/cluster_slot.h"
#include "tests/nodes/retrying_poster.h"
#include "tests/nodes/serve_bus_fixture.h"

namespace segue::serving {
namespace {

TEST_F(ServeBusTest, MasterKilledMidStreamLosesNoAcknowledgedEvent) {
  const std::map<std::string, std::string> expected = EmbeddedSessions();
  test_support::RedisCluster cluster;
  ASSERT_TRUE(cluster.Start().ok());
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  for (const char* id : {"n0", "n1"}) nodes.push_back(StartNode(cluster.url(), id, "wait_replicas = 1\n"));
  Client n0(nodes[0]->port()), n1(nodes[1]->port());
  auto owned = [&] { return Sample(n0, "segue_node_partitions_owned") + Sample(n1, "segue_node_partitions_owned"); };
  ASSERT_TRUE(WaitFor([&] { return owned() == kPartitions; }, 15s));

  // The client: every batch retried after a 503 until acknowledged; when each batch was acknowledged and
  // how many 503s it met.
  const std::vector<std::string> lines = ReadLines(events_);
  RetryingPoster poster(nodes[0]->port(), lines, 50);
  std::vector<Clock::time_point> acked_at(poster.batches());
  std::vector<int> refusals(poster.batches());
  std::atomic<size_t> posted{0};
  std::atomic<bool> ok{true};
  // A jthread: a failed ASSERT below returns with the client stopped and joined, not terminating.
  std::jthread client([&](std::stop_token stop) {
    for (size_t b = 0; b < poster.batches() && ok && !stop.stop_requested(); ++b) {
      const int before = poster.unavailable();
      ok = poster.Post(b, b + 1, 50ms, 60s);
      acked_at[b] = Clock::now();
      refusals[b] = poster.unavailable() - before;
      posted = b + 1;
      std::this_thread::sleep_for(10ms);  // spreads the stream over a few seconds
    }
  });

  const int slot = bus::KeySlot(bus::EventsKey(0));
  const int victim = cluster.MasterOfSlot(slot);
  ASSERT_GE(victim, 0);
  ASSERT_TRUE(WaitFor([&] { return posted >= poster.batches() / 3; }, 60s));
  cluster.Kill(victim);
  const auto killed = Clock::now();
  const size_t posted_at_kill = posted;
  ASSERT_TRUE(WaitFor([&] { return cluster.MasterOfSlot(slot) >= 0; }, 20s));
  const Millis failover = Since(killed);
  EXPECT_NE(cluster.MasterOfSlot(slot), victim);
  ASSERT_TRUE(cluster.node(victim).Restart().ok());  // rejoins as the new master's replica
  ASSERT_TRUE(cluster.WaitHealthy(20s).ok());
  const Millis replica_back = Since(killed);

  client.join();
  ASSERT_TRUE(ok) << "a batch got neither 202 nor 503 (or kept getting 503 for 60 s)";
  EXPECT_EQ(poster.without_retry_after(), 0);
  EXPECT_GT(poster.unavailable(), 0) << "the kill should have refused some batches";
  // Recovered: the first batch acknowledged after the kill that met a 503 on the way.
  Millis recovered{-1};
  for (size_t b = posted_at_kill; b < poster.batches(); ++b) {
    if (refusals[b] > 0 && acked_at[b] > killed) {
      recovered = std::chrono::duration_cast<Millis>(acked_at[b] - killed);
      break;
    }
  }

  auto redis = bus::RedisClient::Connect({.seeds = bus::ParseRedisUrl(cluster.url()).value(), .timeouts = {}, .max_rounds = 6});
  ASSERT_TRUE(redis.ok());
  EXPECT_EQ(StoredEvents(**redis), lines.size()) << "every acknowledged event stored once";
  EXPECT_GE(poster.accepted() + poster.duplicates(), static_cast<int64_t>(lines.size()));
  ASSERT_TRUE(WaitFor([&] { return owned() == kPartitions; }, 15s));
  const double lost = Sample(n0, "segue_node_partitions_lost_total") + Sample(n1, "segue_node_partitions_lost_total");
  ASSERT_TRUE(WaitFor([&] { return AllCommitted(**redis); }, 30s));
  const size_t differ = DifferingSessions(expected, nodes[0]->port(), users_);
  EXPECT_EQ(differ, 0u) << "of " << expected.size() << " listeners";
  std::printf("master kill: %zu events (%zu batches, %zu acknowledged before the kill), %zu listeners equal; "
              "failover seen after %lld ms, replica back after %lld ms, first refused batch acknowledged %lld ms "
              "after the kill; %d 503s, slowest answer %lld ms; %lld duplicates reported on retries; %.0f of %u partitions "
              "lost by the nodes\n",
              lines.size(), poster.batches(), posted_at_kill, expected.size() - differ,
              static_cast<long long>(failover.count()), static_cast<long long>(replica_back.count()),
              static_cast<long long>(recovered.count()), poster.unavailable(), static_cast<long long>(poster.slowest().count()),
              static_cast<long long>(poster.duplicates()), lost, kPartitions);
}

}  // namespace
}  // namespace segue::serving
