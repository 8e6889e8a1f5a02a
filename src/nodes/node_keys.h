// The Redis keys of processing nodes, beside the bus's (bus/redis_keys.h). Every key of partition p
// carries the hash tag {p}, as the bus's stream segue:{p}:events does, so one partition's lease, stored session state, checkpoint and
// stream live on one cluster slot and a node's commit of a partition is one atomic script there.
//   segue:{nodes}              sorted set: node id -> membership expiry (Redis server time, ms)
//   segue:{p}:lease            string: the owning node's id, PX lease_ms
//   segue:{p}:sessions         hash: listener -> session_codec chunk (EncodeListener)
//   segue:{p}:checkpoint       string: the highest offset of partition p the stored sessions cover
// Consumer group kConsumerGroup on each partition's stream; a node's consumer name is its node id.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "bus/redis_keys.h"

namespace segue::nodes {

inline constexpr const char* kMembersKey = "segue:{nodes}";
inline constexpr const char* kConsumerGroup = "segue";

inline std::string PartitionKey(uint32_t partition, const char* suffix) {
  return bus::PartitionTag(partition).append(suffix);
}
inline std::string LeaseKey(uint32_t partition) { return PartitionKey(partition, "lease"); }
inline std::string SessionsKey(uint32_t partition) { return PartitionKey(partition, "sessions"); }
inline std::string CheckpointKey(uint32_t partition) { return PartitionKey(partition, "checkpoint"); }

}  // namespace segue::nodes
