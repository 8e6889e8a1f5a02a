// Kill a Redis Cluster master (SIGKILL) while appending with WAIT 1: the cluster fails over, the appender
// follows the new master, and every acknowledged event is stored exactly once afterwards.
//
// With one replica per master, the promoted replica has no replica of its own, so WAIT 1 refuses every
// batch touching its slots until the killed node is back (it rejoins as the new master's replica): the
// test restarts it once the failover is seen, as an operator (or a supervisor) would.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "bus/cluster_slot.h"
#include "bus/redis_client.h"
#include "bus/redis_keys.h"
#include "tests/bus/bus_test_util.h"
#include "tests/bus/redis_fixture.h"

namespace segue::bus {
namespace {

using testing::AppendSync;
using testing::BusOptions;
using testing::Events;
using testing::OpenOrFail;
using testing::StoredIds;

// Appends batches of new events, each retried (like an HTTP client after a 503) until acknowledged.
class RetryingWriter {
 public:
  explicit RetryingWriter(EventAppender& appender) : appender_(appender), thread_([this] { Run(); }) {}
  ~RetryingWriter() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int acked_batches() const { return acked_batches_; }
  int failed_attempts() const { return failed_attempts_; }
  std::set<std::string> acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }

 private:
  void Run() {
    for (int batch = 0; !stop_; ++batch) {
      const std::vector<Event> events = Events(segue::testing::Id("f", batch) + "-", 24, 24);
      while (!stop_) {
        Result<AppendOutcome> r = AppendSync(appender_, events);
        if (r.ok()) {
          std::lock_guard lock(mu_);
          for (const Event& e : events) acked_.insert(e.event_id);  // accepted, or stored by an earlier try
          ++acked_batches_;
          break;
        }
        ++failed_attempts_;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  EventAppender& appender_;
  std::atomic<bool> stop_{false};
  std::atomic<int> acked_batches_{0};
  std::atomic<int> failed_attempts_{0};
  std::mutex mu_;
  std::set<std::string> acked_;
  std::thread thread_;
};

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

TEST(RedisBusFailover, KilledMasterLosesNoAcknowledgedEvent) {
  SEGUE_SKIP_WITHOUT_REDIS();
  test_support::RedisCluster cluster;
  ASSERT_TRUE(cluster.Start().ok());
  RedisBusOptions options = BusOptions(cluster.url(), /*wait_replicas=*/1);
  options.timeouts.connect = std::chrono::milliseconds(300);
  std::unique_ptr<RedisEventAppender> appender = OpenOrFail<RedisEventAppender>(options);
  ASSERT_TRUE(appender);

  // A plain client connected before the kill, to see it follow the failover before the node is back.
  Result<std::vector<RedisEndpoint>> seeds = ParseRedisUrl(cluster.url());
  ASSERT_TRUE(seeds.ok());
  Result<std::unique_ptr<RedisClient>> client =
      RedisClient::Connect(RedisClientOptions{seeds.value(), options.timeouts, 6});
  ASSERT_TRUE(client.ok()) << client.status().ToString();

  RetryingWriter writer(*appender);
  ASSERT_TRUE(WaitFor([&] { return writer.acked_batches() >= 30; }, std::chrono::seconds(20)));
  const int slot = KeySlot(EventsKey(0));
  const int victim = cluster.MasterOfSlot(slot);
  ASSERT_GE(victim, 0);
  cluster.Kill(victim);
  const int before = writer.acked_batches();

  // Failover: another node serves the slot (cluster-node-timeout 1 s, then the election).
  ASSERT_TRUE(WaitFor([&] { return cluster.MasterOfSlot(slot) >= 0; }, std::chrono::seconds(20)));
  EXPECT_NE(cluster.MasterOfSlot(slot), victim);
  Result<RedisReply> set = (*client)->Command(RedisCommand{{"SET", PartitionTag(0).append("probe"), "1"}});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->str, "OK");
  ASSERT_TRUE(cluster.node(victim).Restart().ok());  // back as the new master's replica
  ASSERT_TRUE(cluster.WaitHealthy(std::chrono::seconds(20)).ok());
  ASSERT_TRUE(WaitFor([&] { return writer.acked_batches() >= before + 30; }, std::chrono::seconds(20)))
      << writer.acked_batches() << " batches acknowledged, " << before << " before the kill";
  writer.Stop();
  EXPECT_GT(writer.failed_attempts(), 0) << "the kill should have refused some batches";

  std::unique_ptr<RedisPartitionSource> source = OpenOrFail<RedisPartitionSource>(options);
  ASSERT_TRUE(source);
  const std::map<std::string, int> stored = StoredIds(*source);
  const std::set<std::string> acked = writer.acked();
  size_t missing = 0;
  for (const std::string& id : acked) missing += stored.count(id) == 0;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged events";
  for (const auto& [id, n] : stored) EXPECT_EQ(n, 1) << id << " stored " << n << " times";
}

}  // namespace
}  // namespace segue::bus
