// EventStore: the server's one seam for choosing the event log implementation. It hands the server the
// three interfaces its components name (EventAppender for ingest, PartitionSource for restores, StateStore
// for snapshots and the catalog) and owns what implements them: the embedded RocksDB EventLog in
// <data_dir> (the default, no flag), or with [bus] url the Redis bus (src/bus/: streams, de-dup window,
// state in the {state} slot), shared by every node of the deployment.
//
// Live delivery is the implementation's concern: `on_committed` receives committed events of any subset of
// partitions, each partition's in offset order, from one thread at a time (Pipeline::Dispatch's contract);
// the embedded log calls it from its committer before acknowledging them. The bus never calls it: there
// the node's partition readers deliver what the node owns (serving/node_component.h).
// Thread-safety: OpenEventStore and Close from the application's thread; the interfaces are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "common/status.h"
#include "events/event.h"
#include "log/event_appender.h"
#include "log/event_log.h"
#include "log/partition_source.h"
#include "log/state_store.h"
#include "serving/server_config.h"

namespace segue::serving {

struct EventStore {
  EventAppender* appender = nullptr;
  PartitionSource* source = nullptr;
  StateStore* state = nullptr;
  // Set when the embedded log is the implementation: LogComponent (retention, its metrics) needs it.
  std::unique_ptr<EventLog> embedded;
  // The bus's implementations, when [bus] url is set.
  std::unique_ptr<EventAppender> bus_appender;
  std::unique_ptr<PartitionSource> bus_source;
  std::unique_ptr<StateStore> bus_state;

  // Completes queued appends and closes what the store owns. Idempotent.
  void Close();
};

using CommittedSink = std::function<void(const std::vector<LoggedEvent>&)>;

// Opens the implementation the config names (the embedded log in config.data_dir). Errors name the place.
Result<EventStore> OpenEventStore(const ServerConfig& config, CommittedSink on_committed);

}  // namespace segue::serving
