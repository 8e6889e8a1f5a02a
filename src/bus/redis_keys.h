// The Redis keys of the Segue bus. Every key of a partition carries the hash tag `{p}` (p in decimal), so
// a partition lives on one cluster slot and one Lua script or transaction may touch all of its keys; the
// state store's keys share the tag `{state}`, the deployment's metadata `{meta}`.
//   segue:{p}:events             stream; entry id "<offset>-1", one field "r": the record (record_codec.h)
//   segue:{p}:offset             integer; the last offset assigned in partition p
//   segue:{p}:dedup:<event_id>   "1" with a TTL of the de-dup window
//   segue:{state}:values         hash; state key → value
//   segue:{state}:index          sorted set (all scores 0); state keys, for ScanState in byte order
//   segue:{meta}:partitions      integer; the partition count the deployment was first used with
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace segue::bus {

inline std::string PartitionTag(uint32_t partition) {
  std::string key = "segue:{";
  key.append(std::to_string(partition)).append("}:");
  return key;
}
inline std::string EventsKey(uint32_t partition) { return PartitionTag(partition).append("events"); }
inline std::string OffsetKey(uint32_t partition) { return PartitionTag(partition).append("offset"); }
inline std::string DedupKey(uint32_t partition, std::string_view event_id) {
  return PartitionTag(partition).append("dedup:").append(event_id);
}

inline constexpr std::string_view kStateValuesKey = "segue:{state}:values";
inline constexpr std::string_view kStateIndexKey = "segue:{state}:index";
inline constexpr std::string_view kPartitionsKey = "segue:{meta}:partitions";

}  // namespace segue::bus
