// RedisClient: a small synchronous client for one logical Redis deployment, a single server or a Redis
// Cluster, on hiredis 0.14 (Debian 12). hiredis has no cluster support in Debian 12 (no hiredis-cluster
// package), so this client routes by itself, minimally:
// - Discovery: at Connect, CLUSTER SLOTS on the first seed that answers; a server with cluster support
//   disabled is a single server (every command goes to it).
// - Routing: a command goes to the master owning the hash slot of its routing key (cluster_slot.h);
//   keys sharing a hash tag `{...}` share a slot, so multi-key commands and scripts must use one tag.
// - Redirections: MOVED updates that slot and re-sends (the whole map is refreshed before the next
//   round); ASK re-sends once to the named node preceded by ASKING; TRYAGAIN, CLUSTERDOWN, READONLY,
//   MASTERDOWN and LOADING (the command was not executed) refresh the map and re-send after a short
//   pause. At most `max_rounds` rounds per call, then Unavailable.
// - Failures: a node that refuses the connection (nothing was sent) marks the map stale and is retried
//   within the same rounds, which is how a failover is followed. A failure after bytes were sent (I/O
//   error, timeout) returns Unavailable at once and never re-sends: whether the commands ran is unknown,
//   and re-sending a non-idempotent command could apply it twice. The connection reconnects on next use.
// - Durability: WaitReplicas appends `WAIT replicas timeout` to the commands sent to each node, and the
//   call fails with Unavailable when fewer replicas acknowledged (the writes may still have happened).
//
// Pipelining: Pipeline() sends every command of a node in one write and reads their replies together
// (one round trip per node touched); replies come back in command order. A command's own error reply
// (other than the redirections above) is returned as a kError reply, not as a failed Status.
//
// Thread-safety: none. A RedisClient owns one connection per node; use one client per thread (they are
// cheap: connections open lazily, the slot map is 32 KiB).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bus/redis_connection.h"
#include "bus/redis_reply.h"
#include "bus/redis_url.h"
#include "common/status.h"

namespace segue::bus {

struct RedisClientOptions {
  std::vector<RedisEndpoint> seeds;  // from ParseRedisUrl
  RedisTimeouts timeouts;            // timeouts.command must exceed any WaitReplicas timeout
  int max_rounds = 6;                // send rounds per call (redirections, refusals during a failover)
};

// After the writes sent to each node, wait until `replicas` replicas of that node acknowledged them.
struct WaitReplicas {
  int replicas = 0;  // 0: no WAIT
  std::chrono::milliseconds timeout{1000};
};

class RedisClient {
 public:
  // Unavailable when no seed answers (within timeouts.connect each), InvalidArgument without seeds.
  static Result<std::unique_ptr<RedisClient>> Connect(RedisClientOptions options);
  ~RedisClient();

  Result<RedisReply> Command(const RedisCommand& command, WaitReplicas wait = {});
  Result<std::vector<RedisReply>> Pipeline(std::span<const RedisCommand> commands, WaitReplicas wait = {});
  // MULTI, the commands, EXEC on the node owning the first command's routing key (all keys must share its
  // slot); returns EXEC's reply: an array of the commands' replies (an error when the transaction aborted).
  Result<RedisReply> Transaction(std::span<const RedisCommand> commands, WaitReplicas wait = {});
  // The command on every master (the one server when not a cluster), one reply each in masters() order.
  Result<std::vector<RedisReply>> ForEachMaster(const RedisCommand& command);

  bool is_cluster() const { return cluster_; }
  // The masters of the current slot map (the one server when not a cluster).
  std::vector<RedisEndpoint> masters() const;

 private:
  struct Pending;  // one command still to send: its index, target node, whether ASKING precedes it

  explicit RedisClient(RedisClientOptions options);
  size_t NodeIndex(const RedisEndpoint& endpoint);
  size_t NodeFor(std::string_view routing_key) const;
  Status RefreshSlots();
  Status LoadSlotMap(const RedisReply& slots, const RedisEndpoint& asked);
  Result<std::vector<RedisReply>> RunRounds(std::span<const RedisCommand> commands, WaitReplicas wait,
                                            std::vector<Pending> pending);
  Status SendRound(std::span<const RedisCommand> commands, WaitReplicas wait, std::vector<Pending>& pending,
                   std::vector<RedisReply>& replies, bool* pause, std::string* reason);
  Status ReadGroup(size_t node, const std::vector<Pending>& group, WaitReplicas wait, std::vector<Pending>& pending,
                   std::vector<RedisReply>& replies, bool* pause, std::string* reason);
  int32_t Redirect(const RedisReply& reply);

  RedisClientOptions options_;
  std::vector<std::unique_ptr<RedisConnection>> nodes_;  // every node seen: seeds, slot owners, redirects
  std::vector<int32_t> slot_owner_;                      // [kClusterSlots]: index in nodes_, -1 unknown
  bool cluster_ = false;
  bool map_stale_ = false;
};

}  // namespace segue::bus
