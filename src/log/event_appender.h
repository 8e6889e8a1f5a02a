// EventAppender: where accepted events go before the client is acknowledged. The embedded RocksDB log
// (event_log.h) implements it; the Redis Streams bus (src/bus/) implements it for several nodes.
//
// Contract (every implementation):
// - Partitioning. An event is stored in partition PartitionOf(user_id, partitions()) (common/hash.h),
//   so one listener's events are in one partition, in the order they were appended.
// - Offsets. Each stored event gets an offset that is strictly increasing within its partition (not
//   necessarily dense, and not comparable across partitions). AppendOutcome::seqs holds them, one per
//   input event in input order; 0 marks a duplicate, which was not stored.
// - Durability. `done` reports success only once every stored event of the call is durable under the
//   implementation's documented policy (RocksDB: fsynced WAL; Redis: AOF fsync and/or WAIT replicas).
//   An acknowledged event is never lost or stored twice; an unacknowledged one is stored at most once.
// - De-duplication. An event whose event_id was appended before, within the implementation's
//   documented window, is reported as a duplicate (seq 0), also across nodes sharing a bus.
// - Failures. `done` gets ResourceExhausted for back-pressure (retry later) and Unavailable when the
//   store cannot be reached or refuses writes; health() says which, cheaply, without I/O.
// - `done` runs exactly once, possibly inline on the caller's thread for an immediate failure. It must not
//   block for long: it may run on the thread that commits every caller's events.
//
// Thread-safety: every method is safe to call from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"
#include "events/event.h"

namespace segue {

struct AppendOutcome {
  size_t accepted = 0;
  size_t duplicates = 0;
  std::vector<uint64_t> seqs;  // one per input event, in input order: its offset; 0 = duplicate
};

class EventAppender {
 public:
  using AppendCallback = std::function<void(Result<AppendOutcome>)>;

  virtual ~EventAppender() = default;

  virtual void AppendAsync(std::vector<Event> events, AppendCallback done) = 0;
  // Ok while appends are accepted; otherwise the Status a refused append gets now.
  virtual Status health() const = 0;
  virtual uint32_t partitions() const = 0;
};

}  // namespace segue
