// RedisStateStore: StateStore (log/state_store.h) on Redis, for state shared by several nodes.
//
// Every state key lives under the one hash tag `{state}` (redis_keys.h): values in the hash
// segue:{state}:values, and the keys again in the sorted set segue:{state}:index (all scores 0, so
// ZRANGEBYLEX orders them bytewise, as RocksDB does). One slot means WriteStateBatch is one MULTI/EXEC on
// one node: atomic for readers and, with appendfsync always, for a crash (the transaction is one AOF
// write). Every write is followed by the bus's WAIT (redis_bus_options.h), and is acknowledged only then.
// The cost of that choice: all state sits on one master (its memory and CPU bound the state's size and
// write rate; the event streams spread over all masters). This store is for small, rarely written state
// (catalog, experiments, preferences, snapshots' metadata), not per-event data.
// ScanState reads ZRANGEBYLEX pages of 256 keys, then their values with HMGET: O(log N + page) per
// round trip instead of SCAN + sort over the whole keyspace; pages are not one snapshot, so keys written
// during a scan may or may not be seen (each key seen at most once, in order).
//
// Thread-safety: every method is safe to call from any thread (one client behind a mutex, not held while
// `visit` runs).
#pragma once

#include <memory>
#include <mutex>

#include "bus/redis_bus_options.h"
#include "bus/redis_client.h"
#include "log/state_store.h"

namespace segue::bus {

class RedisStateStore final : public StateStore {
 public:
  static Result<std::unique_ptr<RedisStateStore>> Open(const RedisBusOptions& options);

  Status PutState(std::string_view key, std::string_view value) override;
  Result<std::optional<std::string>> GetState(std::string_view key) const override;
  Status DeleteState(std::string_view key) override;
  Status ScanState(std::string_view prefix,
                   const std::function<bool(std::string_view key, std::string_view value)>& visit) const override;
  Status WriteStateBatch(const Ops& ops) override;

 private:
  RedisStateStore(WaitReplicas wait, std::unique_ptr<RedisClient> client) : wait_(wait), client_(std::move(client)) {}
  using Page = std::vector<std::pair<std::string, std::string>>;
  // Up to 256 keys from `*start` (a ZRANGEBYLEX bound) that begin with `prefix`, with their values; sets
  // `*start` to where the next page begins, or empty when there is none.
  Result<Page> ReadPage(std::string_view prefix, std::string* start) const;

  const WaitReplicas wait_;
  mutable std::mutex mu_;
  std::unique_ptr<RedisClient> client_;
};

}  // namespace segue::bus
