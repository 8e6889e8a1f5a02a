// PartitionOwnership: keeps this node's fair share of partitions under leases (lease_table.h) and tells
// the partition readers what to start and stop. One owner reads a partition at a time.
//
// Every lease_ms / 3 (a round, on its own thread): heartbeat (the live members) and renew the held leases
// in one round trip (a lease found lost is dropped at once), compute this node's share for the live set
// (partition_assignment.h), drop and release the held partitions outside it (so their new owner can take
// them on its next round), and try to acquire the free ones in it: three round trips at most, each
// waiting for Redis's AOF fsync, so a round stays well inside the lease on a busy disk. A partition held by a node that died
// is free once its lease expires (lease_ms after the last renewal) and the dead node is out of the
// membership (lease_ms after its last heartbeat): a takeover takes at most lease_ms + one round after
// the kill, plus the new owner's load of the partition's state.
// Redis unreachable: 2/3 of lease_ms after the last successful renewal was sent (before Redis restarted
// the lease's clock), owned() is empty, even while a round is still blocked on Redis (retries, timeouts),
// and the next round that fails drops every held partition as lost: the node stops answering as an owner
// before its leases can have expired elsewhere (a node cut off stops on its own). Commits of stored state
// are also fenced by the lease (online_store.h), so a paused node that wakes up cannot overwrite its
// successor's state.
//
// Callbacks run on the ownership thread, with all the partitions of a round at once (so stopping several
// readers costs one wait, not one each): take(ps) after their leases are held, and must return quickly;
// drop(ps) must return only when nothing more of them will be written (readers stopped, last commits
// done or refused).
// Thread-safety: Start/Stop from one thread; owned() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bus/redis_client.h"
#include "common/metrics.h"
#include "common/status.h"
#include "nodes/lease_table.h"

namespace segue::nodes {

struct OwnershipOptions {
  std::string node_id;
  uint32_t partitions = 16;
  int64_t lease_ms = 3000;
};

class PartitionOwnership {
 public:
  using PartitionFn = std::function<void(const std::vector<uint32_t>& partitions)>;

  PartitionOwnership(OwnershipOptions options, bus::RedisClientOptions redis, PartitionFn take, PartitionFn drop,
                     metrics::Registry& registry);
  ~PartitionOwnership();  // Stop()

  // Connects, runs the first round on the caller's thread (so a node owns its share when it returns,
  // unless others still hold it), then starts the round thread.
  Status Start();
  // Drops every held partition, releases the leases and leaves the membership (best effort). Idempotent.
  void Stop();

  // The partitions this node may act as owner of now: empty once its leases' validity passed.
  std::set<uint32_t> owned() const;

 private:
  std::set<uint32_t> held() const;  // leases held, valid or not (what a drop must stop)
  std::chrono::steady_clock::time_point valid_until() const;
  void Round();
  // Drops `partitions` (held), releases their leases when `release`, and forgets them.
  void Drop(const std::vector<uint32_t>& partitions, bool release);
  void Run();

  const OwnershipOptions options_;
  const bus::RedisClientOptions redis_options_;
  const PartitionFn take_;
  const PartitionFn drop_;
  std::unique_ptr<bus::RedisClient> client_;
  std::unique_ptr<LeaseTable> leases_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::set<uint32_t> owned_;  // guarded by mu_; written by the ownership thread only
  // Guarded by mu_: the last successful renewal's send time + 2/3 of lease_ms.
  std::chrono::steady_clock::time_point valid_until_;
  std::thread thread_;

  metrics::Counter& taken_;
  metrics::Counter& dropped_;
  metrics::Counter& lost_;
};

}  // namespace segue::nodes
