// The log interfaces on Redis (RedisEventAppender, RedisPartitionSource, RedisStateStore) against a real
// redis-server and a real 3-master / 3-replica cluster (tests/bus/redis_fixture.h).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "bus/redis_event_appender.h"
#include "bus/redis_keys.h"
#include "bus/redis_partition_source.h"
#include "bus/redis_state_store.h"
#include "tests/bus/bus_test_util.h"
#include "tests/bus/redis_fixture.h"

namespace segue::bus {
namespace {

using testing::AppendSync;
using testing::BusOptions;
using testing::Events;
using testing::OpenOrFail;
using testing::StoredIds;
using test_support::RedisCluster;
using test_support::RedisSingle;

// Two appenders ("nodes") share the bus: each id is stored once whichever node gets it or its retry, and
// the source reads back exactly what was acknowledged, in offset order, with the events intact.
void AppendReadDedupAcrossNodes(const std::string& url, int wait_replicas) {
  const RedisBusOptions options = BusOptions(url, wait_replicas);
  std::unique_ptr<RedisEventAppender> a = OpenOrFail<RedisEventAppender>(options);
  std::unique_ptr<RedisEventAppender> b = OpenOrFail<RedisEventAppender>(options);
  std::unique_ptr<RedisPartitionSource> source = OpenOrFail<RedisPartitionSource>(options);
  ASSERT_TRUE(a && b && source);

  const std::vector<Event> first = Events("a-", 300);
  Result<AppendOutcome> got_a = AppendSync(*a, first);
  ASSERT_TRUE(got_a.ok()) << got_a.status().ToString();
  EXPECT_EQ(got_a->accepted, 300u);
  Result<AppendOutcome> got_b = AppendSync(*b, Events("b-", 200));
  ASSERT_TRUE(got_b.ok()) << got_b.status().ToString();
  EXPECT_EQ(got_b->accepted, 200u);

  // Node b receives a client's retry of 100 of a's events plus 50 new ones, one duplicate within the call.
  std::vector<Event> retry(first.begin(), first.begin() + 100);
  std::vector<Event> fresh = Events("c-", 50);
  retry.insert(retry.end(), fresh.begin(), fresh.end());
  retry.push_back(fresh.front());
  Result<AppendOutcome> again = AppendSync(*b, retry);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->duplicates, 101u);
  EXPECT_EQ(again->accepted, 50u);
  for (size_t i = 0; i < 100; ++i) EXPECT_EQ(again->seqs[i], 0u);
  EXPECT_EQ(again->seqs.back(), 0u);

  const std::map<std::string, int> stored = StoredIds(*source);
  EXPECT_EQ(stored.size(), 550u);
  // Each acknowledged seq is the offset the event is stored at (the call was split over the writers).
  std::map<std::string, uint64_t> offsets;
  for (uint32_t p = 0; p < options.partitions; ++p) {
    ASSERT_TRUE(source->ReadPartition(p, 0, [&](const LoggedEvent& e) {
      offsets[e.event.event_id] = e.seq;
      return true;
    }).ok());
  }
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(got_a->seqs[i], offsets[first[i].event_id]) << i;
  for (const auto& [id, n] : stored) EXPECT_EQ(n, 1) << id;

  // Offsets: the ones acknowledged, per partition; EndOffset is the last one; the record round-trips.
  const uint32_t p = PartitionOf(first[0].user_id, options.partitions);
  std::vector<LoggedEvent> read;
  ASSERT_TRUE(source->ReadPartition(p, 0, [&](const LoggedEvent& e) {
    read.push_back(e);
    return true;
  }).ok());
  ASSERT_FALSE(read.empty());
  EXPECT_EQ(read.front().event, first[0]);
  EXPECT_EQ(read.front().seq, got_a->seqs[0]);
  Result<uint64_t> end = source->EndOffset(p);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end.value(), read.back().seq);
  // From a checkpoint: only what follows it.
  std::vector<uint64_t> tail;
  ASSERT_TRUE(source->ReadPartition(p, read[0].seq, [&](const LoggedEvent& e) {
    tail.push_back(e.seq);
    return true;
  }).ok());
  EXPECT_EQ(tail.size(), read.size() - 1);

  // Nothing trimmed yet; after XTRIM removes the partition's first two entries, TrimmedOffset says so.
  Result<uint64_t> trimmed = source->TrimmedOffset(p);
  ASSERT_TRUE(trimmed.ok()) << trimmed.status().ToString();
  EXPECT_EQ(*trimmed, 0u);
  ASSERT_GE(read.size(), 3u);
  Result<std::unique_ptr<RedisClient>> raw = ConnectBus(options);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  Result<RedisReply> trim = (*raw)->Command(
      RedisCommand{{"XTRIM", EventsKey(p), "MINID", std::to_string(read[2].seq) + "-1"}});
  ASSERT_TRUE(trim.ok() && !trim->is_error());
  trimmed = source->TrimmedOffset(p);
  ASSERT_TRUE(trimmed.ok()) << trimmed.status().ToString();
  EXPECT_EQ(*trimmed, read[1].seq);
}

void StateStoreRoundTrip(const std::string& url, int wait_replicas) {
  std::unique_ptr<RedisStateStore> store = OpenOrFail<RedisStateStore>(BusOptions(url, wait_replicas));
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->PutState("catalog/b", "2").ok());
  ASSERT_TRUE(store->PutState("catalog/a", std::string("1\0x", 3)).ok());
  Result<std::optional<std::string>> a = store->GetState("catalog/a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ(**a, std::string("1\0x", 3));
  EXPECT_FALSE(store->GetState("catalog/none")->has_value());

  StateStore::Ops ops;
  for (int i = 0; i < 600; ++i) ops.emplace_back(segue::testing::Id("session/", 1000 + i), std::to_string(i));
  ops.emplace_back("catalog/b", std::nullopt);
  ops.emplace_back("experiments/x", "on");
  ASSERT_TRUE(store->WriteStateBatch(ops).ok());
  EXPECT_FALSE(store->GetState("catalog/b")->has_value());

  std::vector<std::string> keys;
  ASSERT_TRUE(store->ScanState("session/", [&](std::string_view k, std::string_view v) {
    keys.emplace_back(k);
    EXPECT_EQ(v, std::to_string(std::stoi(std::string(k.substr(8))) - 1000));
    return true;
  }).ok());
  ASSERT_EQ(keys.size(), 600u);  // more than two pages of 256
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  std::vector<std::string> all;
  ASSERT_TRUE(store->ScanState("", [&](std::string_view k, std::string_view) {
    all.emplace_back(k);
    return all.size() < 3;
  }).ok());
  EXPECT_EQ(all, (std::vector<std::string>{"catalog/a", "experiments/x", "session/1000"}));
  ASSERT_TRUE(store->DeleteState("experiments/x").ok());
  size_t experiments = 0;
  ASSERT_TRUE(store->ScanState("experiments/", [&](std::string_view, std::string_view) {
    ++experiments;
    return true;
  }).ok());
  EXPECT_EQ(experiments, 0u);
}

TEST(RedisBusSingle, AppendReadDedupAcrossTwoNodes) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  AppendReadDedupAcrossNodes(redis.url(), 0);
}

TEST(RedisBusSingle, StateStore) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  StateStoreRoundTrip(redis.url(), 0);
}

TEST(RedisBusSingle, RefusesWeakDurabilityAndAnotherPartitionCount) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  RedisBusOptions options = BusOptions(redis.url());
  ASSERT_TRUE(RedisEventAppender::Open(options).ok());
  options.partitions = 9;
  Result<std::unique_ptr<RedisEventAppender>> other = RedisEventAppender::Open(options);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("created with 8 partitions"), std::string::npos)
      << other.status().ToString();

  options.partitions = 8;
  redis.server().Cli("config set appendfsync everysec");
  Result<std::unique_ptr<RedisStateStore>> weak = RedisStateStore::Open(options);
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(weak.status().message().find("appendfsync everysec"), std::string::npos) << weak.status().ToString();
  options.accept_weak_durability = true;
  EXPECT_TRUE(RedisStateStore::Open(options).ok());
}

TEST(RedisBusSingle, BackPressureIsResourceExhausted) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  RedisBusOptions options = BusOptions(redis.url());
  options.max_in_flight_events = 10;
  std::unique_ptr<RedisEventAppender> appender = OpenOrFail<RedisEventAppender>(options);
  ASSERT_TRUE(appender);
  EXPECT_EQ(AppendSync(*appender, Events("x-", 11)).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(AppendSync(*appender, Events("x-", 10)).ok());
}

// WAIT 1 with the master's only replica gone: the batch may be written, but it is not acknowledged.
TEST(RedisBusSingle, WaitShortOfReplicasIsNotAcknowledged) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  test_support::RedisTempDir dir;
  std::unique_ptr<test_support::RedisServerProcess> replica;
  ASSERT_TRUE(test_support::StartOnFreePort(dir.path(), {"--replicaof", "127.0.0.1",
                                                         std::to_string(redis.server().port())}, &replica).ok());
  for (int i = 0; i < 200 && replica->Cli("info replication").find("master_link_status:up") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(replica->Cli("info replication").find("master_link_status:up"), std::string::npos);
  // The link can be up before the replica acknowledges offsets (it may still be loading the master's RDB);
  // on a loaded machine that took longer than the appender's 1 s WAIT. Wait until it acknowledges.
  ASSERT_EQ(redis.server().Cli("wait 1 10000"), "1\n");
  RedisBusOptions options = BusOptions(redis.url(), /*wait_replicas=*/1);
  options.wait_timeout = std::chrono::milliseconds(1000);
  std::unique_ptr<RedisEventAppender> appender = OpenOrFail<RedisEventAppender>(options);
  ASSERT_TRUE(appender);
  ASSERT_TRUE(AppendSync(*appender, Events("replicated-", 10)).ok());

  replica->Kill();
  Result<AppendOutcome> alone = AppendSync(*appender, Events("alone-", 10));
  EXPECT_EQ(alone.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(alone.status().message().find("WAIT 1"), std::string::npos) << alone.status().ToString();
  // Reachable, but not durable as configured: refused until a replica is back (the probe WAITs).
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(appender->health().code(), StatusCode::kUnavailable);
}

// An XADD that fails inside the script (here: the stream already holds a higher id) must not leave the
// event marked as seen, or the client's retry would be dropped as a duplicate of an event never stored.
TEST(RedisBusSingle, FailedScriptLeavesNoDedupMark) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  const RedisBusOptions options = BusOptions(redis.url());
  std::unique_ptr<RedisEventAppender> appender = OpenOrFail<RedisEventAppender>(options);
  ASSERT_TRUE(appender);
  const std::vector<Event> events = Events("blocked-", 1);
  const uint32_t p = PartitionOf(events[0].user_id, options.partitions);
  redis.server().Cli("xadd '" + EventsKey(p) + "' 1000-1 r x");

  Result<AppendOutcome> failed = AppendSync(*appender, events);
  EXPECT_EQ(failed.status().code(), StatusCode::kInternal) << failed.status().ToString();
  EXPECT_EQ(redis.server().Cli("exists '" + DedupKey(p, events[0].event_id) + "'"), "0\n");

  redis.server().Cli("del '" + EventsKey(p) + "'");
  Result<AppendOutcome> retried = AppendSync(*appender, events);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->accepted, 1u);
  EXPECT_EQ(retried->seqs[0], 1u);
}

TEST(RedisBusSingle, DownIsUnavailableFastThenRecovers) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  std::unique_ptr<RedisEventAppender> appender = OpenOrFail<RedisEventAppender>(BusOptions(redis.url()));
  ASSERT_TRUE(appender);
  ASSERT_TRUE(AppendSync(*appender, Events("up-", 5)).ok());

  redis.server().Kill();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(AppendSync(*appender, Events("down-", 5)).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(appender->health().code(), StatusCode::kUnavailable);
  // Now refused inline, without touching the network.
  EXPECT_EQ(AppendSync(*appender, Events("down-", 5)).status().code(), StatusCode::kUnavailable);
  // Not a latency figure: "fast" means well inside the 2 s command timeout, i.e. no hang.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(RedisPartitionSource::Open(BusOptions(redis.url())).status().code(), StatusCode::kUnavailable);

  ASSERT_TRUE(redis.server().Restart().ok());  // same port and AOF
  for (int i = 0; i < 100 && !appender->health().ok(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(appender->health().ok()) << appender->health().ToString();
  Result<AppendOutcome> back = AppendSync(*appender, Events("down-", 5));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->accepted, 5u);
  std::unique_ptr<RedisPartitionSource> source = OpenOrFail<RedisPartitionSource>(BusOptions(redis.url()));
  EXPECT_EQ(StoredIds(*source).size(), 10u);  // the acknowledged ones survived the kill (AOF always)
}

class RedisBusCluster : public test_support::RedisClusterTest {};

TEST_F(RedisBusCluster, AppendReadDedupAndStateWithWait) {
  SEGUE_SKIP_WITHOUT_REDIS();
  AppendReadDedupAcrossNodes(cluster_->url(), 1);
  StateStoreRoundTrip(cluster_->url(), 1);
}

}  // namespace
}  // namespace segue::bus
