// LeaseTable: node membership and per-partition leases in Redis (keys in node_keys.h).
//
// - Membership: the heartbeat puts this node in segue:{nodes} until Redis's own clock passes now + lease_ms
//   (one script: no clock of ours is compared with another node's) and returns the live members. A node
//   that stops heartbeating drops out after lease_ms.
// - Leases: Acquire takes free leases (SET segue:{p}:lease <node> NX PX lease_ms); Renew extends the ones
//   still holding this node's id (compare-and-renew script) and reports which were lost; Release deletes
//   a lease only if it is still this node's (compare-and-delete), on a clean hand-over or shutdown.
// Several partitions go in one pipelined round trip (one command per partition; each routes to its slot).
// Failures: Unavailable when Redis cannot be reached or answers with an error.
// Thread-safety: none (one RedisClient, used by one thread: PartitionOwnership's).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bus/redis_client.h"
#include "common/status.h"

namespace segue::nodes {

class LeaseTable {
 public:
  // `client` outlives this.
  LeaseTable(bus::RedisClient* client, std::string node_id, int64_t lease_ms)
      : client_(client), node_id_(std::move(node_id)), lease_ms_(lease_ms) {}

  struct Renewal {
    std::vector<std::string> live;  // every live member's id, sorted
    std::vector<uint32_t> held;     // of the partitions to renew, those still held
  };
  // Keeps this node a member for lease_ms more and renews the leases of `partitions` (held by this node),
  // in one round trip: under AOF appendfsync always every write round trip waits for an fsync.
  Result<Renewal> HeartbeatAndRenew(std::span<const uint32_t> partitions);
  // Removes this node from the membership at once (clean shutdown).
  Status Leave();

  // Of `partitions`, the ones whose lease this node took now (the others are held by someone).
  Result<std::vector<uint32_t>> Acquire(std::span<const uint32_t> partitions);
  // Deletes the leases of `partitions` this node holds (one round trip).
  Status Release(std::span<const uint32_t> partitions);

  const std::string& node_id() const { return node_id_; }

 private:
  // The partitions whose command's reply (replies[first + i] for partitions[i]) is the integer 1 or OK.
  static Result<std::vector<uint32_t>> Succeeded(std::span<const uint32_t> partitions,
                                                 const std::vector<bus::RedisReply>& replies, size_t first);

  bus::RedisClient* client_;
  std::string node_id_;
  int64_t lease_ms_;
};

}  // namespace segue::nodes
