// RedisBusOptions: how Segue uses one Redis deployment as its event bus and state store, and
// ConnectBus(), the one way every bus component (appender, partition source, state store) connects.
//
// Durability policy (docs/scaling.md, "Redis bus"): an append or state write is acknowledged only after
// - every master runs with `appendonly yes` and `appendfsync always` (Redis fsyncs the AOF before it
//   replies, so an acknowledged write survives a crash or power loss of that master). ConnectBus checks
//   it with CONFIG GET on every master and refuses to start (FailedPrecondition-like InvalidArgument,
//   naming the master and the setting) unless `accept_weak_durability` says a weaker setting is wanted;
// - and, with wait_replicas > 0, `WAIT wait_replicas wait_timeout` on every master written to returned at
//   least that many replicas, so an acknowledged write survives losing the master (a failover promotes a
//   replica that has it). Redis replication is asynchronous: without WAIT a failover may lose
//   acknowledged writes.
//
// ConnectBus also pins the partition count: the first node to connect stores it in
// `segue:{meta}:partitions`; a node configured with another count is refused (events of one listener
// must map to one partition on every node).
//
// Thread-safety: ConnectBus is safe to call from any thread; the client it returns is not (redis_client.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "bus/redis_client.h"
#include "common/status.h"

namespace segue::bus {

struct RedisBusOptions {
  std::string url;           // redis://HOST:PORT[,HOST:PORT...]
  uint32_t partitions = 16;  // must equal what the deployment was first used with
  // De-duplication window: an event id is remembered for this long (Redis key expiry, exact); costs
  // about 135 bytes of Redis memory per id (104 by MEMORY USAGE plus its expiry; docs/scaling.md).
  int64_t dedup_window_ms = 3600LL * 1000;
  int wait_replicas = 0;                       // 0: no WAIT (AOF fsync on the master only)
  std::chrono::milliseconds wait_timeout{500};  // how long WAIT may take before the batch is refused
  bool accept_weak_durability = false;         // allow masters without appendonly yes + appendfsync always
  size_t max_in_flight_events = 100000;        // appender back-pressure: beyond it, ResourceExhausted
  size_t max_batch_events = 2000;              // events per pipelined batch (per writer)
  size_t writers = 4;                          // appender writer threads; partition p → writer p % writers
  RedisTimeouts timeouts;                      // command must exceed wait_timeout
};

// Parses the URL, connects, checks the durability policy and the partition count (see above).
Result<std::unique_ptr<RedisClient>> ConnectBus(const RedisBusOptions& options);

// The WAIT every write of the bus is followed by.
WaitReplicas BusWait(const RedisBusOptions& options);

}  // namespace segue::bus
