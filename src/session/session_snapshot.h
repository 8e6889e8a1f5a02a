// Session snapshots in the event log's durable state store, and restore = snapshot + log tail replay.
//
// Layout in the `state` keyspace (all under "session/snapshot/"):
//   meta            "SGSM" | u32 version | u64 generation | u64 seq | u32 chunks
//   <gen>/<shard>   one session_codec.h chunk per tracker shard (gen: 16 hex digits, shard: 5 digits)
// SaveSnapshot writes the chunks of a new generation, then atomically switches `meta` to it and deletes
// every other generation's keys; a crash mid-save leaves the previous snapshot intact (and the orphan
// chunks are removed by the next save).
//
// Consistency: `seq` is `covered_seq` when given, else tracker.last_applied_seq() when the save starts;
// every event with seq <= it must have been applied (with several appliers, e.g. the pipeline's workers,
// pass their common watermark: the tracker's own counter is the highest seq applied by any of them).
// Called beside concurrent applies it is still correct for in-memory sessions, because replay skips
// events whose seq is <= a session's last_seq (docs/sessions.md, "Snapshots").
// Thread-safety: as the tracker's and the log's methods (each shard is locked while it is encoded).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/status.h"

namespace segue {

class EventLog;
class EventObserver;
class SessionTracker;

struct SnapshotInfo {
  uint64_t seq = 0;      // every event with seq <= this is folded in
  uint64_t generation = 0;
  uint64_t records = 0;  // sessions + parked profiles
  uint64_t bytes = 0;    // encoded size of all chunks
};

struct RestoreReport {
  bool snapshot_found = false;
  uint64_t snapshot_seq = 0;
  uint64_t replayed = 0;     // log events after the snapshot handed to Apply()
  uint64_t last_seq = 0;     // last seq the tracker has applied
  // The log no longer holds every event after the snapshot (retention removed them): first missing seq
  // .. first_available - 1 were not replayed. 0 when the tail was complete.
  uint64_t missing_from = 0;
  uint64_t missing_to = 0;
};

Result<SnapshotInfo> SaveSnapshot(const SessionTracker& tracker, EventLog& log,
                                  std::optional<uint64_t> covered_seq = std::nullopt);

// Loads the latest snapshot (if any) into `tracker` (which should be empty) and applies every log event
// after it, in seq order. Corrupt snapshot data is an error (the caller decides whether to start empty).
// Each replayed event the tracker applied is also handed to `observers` with its outcome, as LiveScoring
// hands served events (event_observer.h): an observer that saves its own state beside the snapshot
// catches up on the tail, recognising by seq what it had already counted.
Result<RestoreReport> RestoreSessions(SessionTracker& tracker, const EventLog& log,
                                      const std::vector<EventObserver*>& observers = {});

}  // namespace segue
