// RedisClient against real servers (tests/bus/redis_fixture.h): a single server (pipelines, transactions,
// reconnect, a server that is down) and a 3-master / 3-replica cluster (routing across slots, MOVED after a
// slot changes owner).
#include "bus/redis_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "bus/cluster_slot.h"
#include "bus/redis_url.h"
#include "tests/bus/redis_fixture.h"

namespace segue::bus {
namespace {

using test_support::RedisCluster;
using test_support::RedisSingle;

std::unique_ptr<RedisClient> Connect(const std::string& url) {
  Result<std::vector<RedisEndpoint>> seeds = ParseRedisUrl(url);
  EXPECT_TRUE(seeds.ok()) << seeds.status().ToString();
  RedisClientOptions options;
  options.seeds = seeds.value();
  Result<std::unique_ptr<RedisClient>> client = RedisClient::Connect(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

RedisCommand Cmd(std::vector<std::string> args) { return RedisCommand{std::move(args)}; }

TEST(RedisClientSingle, PipelineTransactionAndErrors) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  std::unique_ptr<RedisClient> client = Connect(redis.url());
  ASSERT_NE(client, nullptr);
  EXPECT_FALSE(client->is_cluster());
  EXPECT_EQ(client->masters().size(), 1u);

  std::vector<RedisCommand> incrs(100, Cmd({"INCR", "counter"}));
  Result<std::vector<RedisReply>> replies = client->Pipeline(incrs);
  ASSERT_TRUE(replies.ok()) << replies.status().ToString();
  ASSERT_EQ(replies->size(), 100u);
  for (size_t i = 0; i < 100; ++i) EXPECT_EQ((*replies)[i].integer, static_cast<long long>(i + 1));

  const std::vector<RedisCommand> tx = {Cmd({"SET", "a", "1"}), Cmd({"INCRBY", "a", "41"})};
  Result<RedisReply> exec = client->Transaction(tx);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  ASSERT_EQ(exec->elements.size(), 2u);
  EXPECT_EQ(exec->elements[1].integer, 42);

  Result<RedisReply> wrong = client->Command(Cmd({"INCR", "a", "extra"}));
  ASSERT_TRUE(wrong.ok());  // a command's own error is a reply, not a failed call
  EXPECT_TRUE(wrong->is_error());
  EXPECT_EQ(wrong->error_code(), "ERR");
}

TEST(RedisClientSingle, DownIsUnavailableFastAndReconnects) {
  SEGUE_SKIP_WITHOUT_REDIS();
  RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  std::unique_ptr<RedisClient> client = Connect(redis.url());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Command(Cmd({"SET", "k", "v"})).ok());

  redis.server().Kill();
  const auto start = std::chrono::steady_clock::now();
  Result<RedisReply> down = client->Command(Cmd({"GET", "k"}));
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  Result<std::vector<RedisEndpoint>> seeds = ParseRedisUrl(redis.url());
  Result<std::unique_ptr<RedisClient>> fresh = RedisClient::Connect(RedisClientOptions{seeds.value(), {}, 6});
  EXPECT_EQ(fresh.status().code(), StatusCode::kUnavailable);
  // Not a latency figure: "fails fast" means it does not wait for the command timeout (2 s) or hang.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));

  // Same port, same data directory (the AOF): the client reconnects on its next call.
  ASSERT_TRUE(redis.server().Restart().ok());
  Result<RedisReply> back = client->Command(Cmd({"GET", "k"}));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->str, "v");
}

class RedisClientCluster : public test_support::RedisClusterTest {};

TEST_F(RedisClientCluster, RoutesEveryKeyToItsSlotOwner) {
  SEGUE_SKIP_WITHOUT_REDIS();
  std::unique_ptr<RedisClient> client = Connect(cluster_->url());
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->is_cluster());
  EXPECT_EQ(client->masters().size(), 3u);
  std::vector<RedisCommand> sets;
  std::vector<RedisCommand> gets;
  for (int i = 0; i < 300; ++i) {
    const std::string key = "key:" + std::to_string(i);
    sets.push_back(Cmd({"SET", key, std::to_string(i)}));
    gets.push_back(Cmd({"GET", key}));
  }
  Result<std::vector<RedisReply>> set = client->Pipeline(sets, WaitReplicas{1});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  for (const RedisReply& r : *set) EXPECT_EQ(r.str, "OK");
  Result<std::vector<RedisReply>> got = client->Pipeline(gets);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  for (int i = 0; i < 300; ++i) EXPECT_EQ((*got)[i].str, std::to_string(i));

  const std::vector<RedisCommand> tx = {Cmd({"SET", "{t}a", "1"}), Cmd({"SET", "{t}b", "2"})};
  Result<RedisReply> exec = client->Transaction(tx, WaitReplicas{1});
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  EXPECT_EQ(exec->elements.size(), 2u);
}

// Another master than `from` (the cluster has three).
int OtherMaster(RedisCluster& cluster, int from) {
  for (int i = 0; i < RedisCluster::kNodes; ++i) {
    if (i != from && cluster.node(i).Cli("role").rfind("master", 0) == 0) return i;
  }
  return -1;
}

std::string NodeId(RedisCluster& cluster, int i) { return cluster.node(i).Cli("cluster myid").substr(0, 40); }

int KeysInSlot(RedisCluster& cluster, int node, int slot) {
  return std::atoi(cluster.node(node).Cli("cluster countkeysinslot " + std::to_string(slot)).c_str());
}

TEST_F(RedisClientCluster, FollowsMovedAfterASlotChangesOwner) {
  SEGUE_SKIP_WITHOUT_REDIS();
  std::unique_ptr<RedisClient> client = Connect(cluster_->url());
  std::unique_ptr<RedisClient> tx_client = Connect(cluster_->url());
  ASSERT_TRUE(client && tx_client);
  const std::string key = "moved-key";  // an empty slot, so it can change owner directly
  const int slot = KeySlot(key);
  const int from = cluster_->MasterOfSlot(slot);
  ASSERT_GE(from, 0);
  const int to = OtherMaster(*cluster_, from);
  ASSERT_GE(to, 0);
  const std::string to_id = NodeId(*cluster_, to);
  for (int i = 0; i < RedisCluster::kNodes; ++i) {
    cluster_->node(i).Cli("cluster setslot " + std::to_string(slot) + " node " + to_id);
  }
  // The clients' maps still name the old owner, which answers MOVED.
  Result<RedisReply> set = client->Command(Cmd({"SET", key, "x"}));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->str, "OK");
  EXPECT_EQ(cluster_->node(to).Cli("get " + key), "x\n");
  // A transaction whose queued commands were refused (EXECABORT) is sent again, whole, to the new owner.
  const std::vector<RedisCommand> tx = {Cmd({"SET", "{moved-key}a", "1"}), Cmd({"SET", "{moved-key}b", "2"})};
  Result<RedisReply> exec = tx_client->Transaction(tx);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  EXPECT_EQ(exec->elements.size(), 2u);
  EXPECT_EQ(KeysInSlot(*cluster_, to, slot), 3);
}

TEST_F(RedisClientCluster, FollowsAskDuringASlotMigration) {
  SEGUE_SKIP_WITHOUT_REDIS();
  std::unique_ptr<RedisClient> client = Connect(cluster_->url());
  ASSERT_NE(client, nullptr);
  const std::string key = "ask-key";
  const std::string slot = std::to_string(KeySlot(key));
  const int from = cluster_->MasterOfSlot(KeySlot(key));
  ASSERT_GE(from, 0);
  const int to = OtherMaster(*cluster_, from);
  ASSERT_GE(to, 0);
  cluster_->node(to).Cli("cluster setslot " + slot + " importing " + NodeId(*cluster_, from));
  cluster_->node(from).Cli("cluster setslot " + slot + " migrating " + NodeId(*cluster_, to));
  // The key is not on the source, which answers ASK: ASKING + SET on the target.
  Result<RedisReply> set = client->Command(Cmd({"SET", key, "y"}));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->str, "OK");
  EXPECT_EQ(KeysInSlot(*cluster_, to, KeySlot(key)), 1);
  EXPECT_EQ(KeysInSlot(*cluster_, from, KeySlot(key)), 0);
  for (int i = 0; i < RedisCluster::kNodes; ++i) {
    cluster_->node(i).Cli("cluster setslot " + slot + " node " + NodeId(*cluster_, to));  // migration done
  }
}

}  // namespace
}  // namespace segue::bus
