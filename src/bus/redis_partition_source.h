// RedisPartitionSource: PartitionSource (log/partition_source.h) over the streams RedisEventAppender
// writes (redis_keys.h). ReadPartition pages through XRANGE segue:{p}:events from offset after_offset + 1,
// 512 entries per round trip, and restores each record's partition and seq (= the offset in the entry id
// "<offset>-1"); EndOffset is GET segue:{p}:offset. Entries trimmed from a stream are simply not there;
// TrimmedOffset is the offset before the stream's first entry (XINFO STREAM), the highest offset removed.
// A read sees every event acknowledged before it started (the master of the partition's slot answers).
// After a failover without WAIT, or for an event that was never acknowledged, a reader may have seen an
// event that the promoted replica does not have, and its offset can then be assigned again.
//
// Thread-safety: every method is safe to call from any thread (one client behind a mutex, which is not
// held while `visit` runs, so a visitor may call back into this source).
#pragma once

#include <memory>
#include <mutex>

#include "bus/redis_bus_options.h"
#include "bus/redis_client.h"
#include "log/partition_source.h"

namespace segue::bus {

class RedisPartitionSource final : public PartitionSource {
 public:
  static Result<std::unique_ptr<RedisPartitionSource>> Open(const RedisBusOptions& options);

  uint32_t partitions() const override { return partitions_; }
  Status ReadPartition(uint32_t partition, uint64_t after_offset,
                       const std::function<bool(const LoggedEvent&)>& visit) const override;
  Result<uint64_t> EndOffset(uint32_t partition) const override;
  Result<uint64_t> TrimmedOffset(uint32_t partition) const override;

 private:
  RedisPartitionSource(uint32_t partitions, std::unique_ptr<RedisClient> client)
      : partitions_(partitions), client_(std::move(client)) {}
  // One XRANGE page starting at `start` ("N" inclusive, "(N-1" exclusive), decoded.
  Result<std::vector<LoggedEvent>> ReadPage(uint32_t partition, const std::string& start) const;

  const uint32_t partitions_;
  mutable std::mutex mu_;
  std::unique_ptr<RedisClient> client_;
};

}  // namespace segue::bus
