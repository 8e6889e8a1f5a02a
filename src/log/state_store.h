// StateStore: a small durable key-value store for the state components keep beside the event log
// (session snapshots, catalog, preferences, experiments). The embedded RocksDB log (event_log.h)
// implements it in its own column family; the Redis bus (src/bus/) implements it for several nodes.
//
// Contract: keys are free-form bytes with a "<component>/" prefix; ScanState visits keys starting with
// `prefix` in key order. A write that returned Ok is durable under the implementation's policy (RocksDB:
// fsynced when the log syncs). WriteStateBatch applies all its puts (value set) and deletes (nullopt)
// atomically: a reader or a crash sees all of them or none.
// Thread-safety: every method is safe to call from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace segue {

class StateStore {
 public:
  using Ops = std::vector<std::pair<std::string, std::optional<std::string>>>;

  virtual ~StateStore() = default;

  virtual Status PutState(std::string_view key, std::string_view value) = 0;
  virtual Result<std::optional<std::string>> GetState(std::string_view key) const = 0;
  virtual Status DeleteState(std::string_view key) = 0;
  virtual Status ScanState(std::string_view prefix,
                           const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
  virtual Status WriteStateBatch(const Ops& ops) = 0;
};

}  // namespace segue
