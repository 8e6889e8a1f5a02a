// PartitionSource: reads one partition of the event log from a checkpoint, for restores (snapshot +
// tail replay), exports and processing nodes that take a partition over. The embedded RocksDB log
// (event_log.h) and the Redis Streams bus (src/bus/) implement it.
//
// A checkpoint is per partition: PartitionOffsets[p] is the highest offset of partition p already
// folded into some state (0 = nothing). Offsets are those EventAppender assigned (strictly increasing
// within a partition), so "replay partition p after offsets[p]" is exact whatever the other partitions did.
//
// Contract: ReadPartition visits the stored events of `partition` with offset > after_offset in offset
// order, until `visit` returns false; it sees at least every event acknowledged before it started.
// Events removed by retention are skipped silently; EndOffset is unaffected by retention.
// Thread-safety: every method is safe to call from any thread, beside appends.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"
#include "events/event.h"

namespace segue {

using PartitionOffsets = std::vector<uint64_t>;  // [partitions]: highest offset applied per partition

class PartitionSource {
 public:
  virtual ~PartitionSource() = default;

  virtual uint32_t partitions() const = 0;
  virtual Status ReadPartition(uint32_t partition, uint64_t after_offset,
                               const std::function<bool(const LoggedEvent&)>& visit) const = 0;
  // The highest offset ever assigned in `partition` (0 = none).
  virtual Result<uint64_t> EndOffset(uint32_t partition) const = 0;
  // The highest offset of `partition` that retention may have removed (0 = none): a reader resuming after
  // a checkpoint below it may have missed events (a restore reports it instead of passing silently).
  virtual Result<uint64_t> TrimmedOffset(uint32_t partition) const = 0;
};

}  // namespace segue
