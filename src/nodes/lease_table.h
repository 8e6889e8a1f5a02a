// LeaseTable: node membership and per-partition leases in Redis (keys in node_keys.h).
//
// - Membership: Heartbeat() puts this node in segue:{nodes} until Redis's own clock passes now + lease_ms
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

  // Keeps this node a member for lease_ms more; returns every live member's id, sorted.
  Result<std::vector<std::string>> Heartbeat();
  // Removes this node from the membership at once (clean shutdown).
  Status Leave();

  // Of `partitions`, the ones whose lease this node took now (the others are held by someone).
  Result<std::vector<uint32_t>> Acquire(std::span<const uint32_t> partitions);
  // Of `partitions` (held by this node), the ones still held after renewing; the others were lost.
  Result<std::vector<uint32_t>> Renew(std::span<const uint32_t> partitions);
  // Deletes the lease of `partition` if this node holds it.
  Status Release(uint32_t partition);

  const std::string& node_id() const { return node_id_; }

 private:
  // One command per partition, pipelined; the partitions whose reply is the integer 1 or the status OK.
  Result<std::vector<uint32_t>> Succeeded(std::span<const uint32_t> partitions,
                                          const std::vector<bus::RedisCommand>& commands);

  bus::RedisClient* client_;
  std::string node_id_;
  int64_t lease_ms_;
};

}  // namespace segue::nodes
