// The Redis keys of processing nodes, beside the bus's (bus/redis_keys.h). Every key of partition p
// carries the hash tag {p}, as the bus's stream segue:{p}:events does, so one partition's lease, stored session state, checkpoint and
// stream live on one cluster slot and a node's commit of a partition is one atomic script there.
//   segue:{nodes}              sorted set: node id -> membership expiry (Redis server time, ms)
//   segue:{p}:lease            string: the owning node's id, PX lease_ms
//   segue:{p}:sessions         hash: listener -> session_codec chunk (EncodeListener)
//   segue:{p}:checkpoint       string: the highest offset of partition p the stored sessions cover
//   segue:{p}:view:<user>      string: the listener's latest view (score JSON, ~200 B), PX the session timeout
//   segue:{p}:impressions      stream: impressions a non-owner served for the partition's listeners, field
//                              "i" = impressions codec JSON (impression_stream.h), drained by the owner
//   segue:push                 pub/sub channel: every node's trigger pushes (redis_push_relay.h)
// Consumer group kConsumerGroup on each partition's stream; a node's consumer name is its node id.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bus/redis_keys.h"

namespace segue::nodes {

inline constexpr const char* kMembersKey = "segue:{nodes}";
inline constexpr const char* kConsumerGroup = "segue";
inline constexpr const char* kPushChannel = "segue:push";

inline std::string PartitionKey(uint32_t partition, const char* suffix) {
  return bus::PartitionTag(partition).append(suffix);
}
inline std::string LeaseKey(uint32_t partition) { return PartitionKey(partition, "lease"); }
inline std::string SessionsKey(uint32_t partition) { return PartitionKey(partition, "sessions"); }
inline std::string CheckpointKey(uint32_t partition) { return PartitionKey(partition, "checkpoint"); }
inline std::string ImpressionsKey(uint32_t partition) { return PartitionKey(partition, "impressions"); }
inline std::string ViewKey(uint32_t partition, std::string_view user) {
  return PartitionKey(partition, "view:").append(user);
}

}  // namespace segue::nodes
