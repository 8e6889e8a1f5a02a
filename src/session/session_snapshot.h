// Session snapshots in a StateStore, and restore = snapshot + per-partition tail replay (PartitionSource).
//
// Layout in the state store (all under "session/snapshot/"):
//   meta            "SGSM" | u32 version (2) | u64 generation | u32 chunks | u32 partitions | u64 offset × partitions
//   <gen>/<shard>   one session_codec.h chunk per tracker shard (gen: 16 hex digits, shard: 5 digits)
// Version 1 (before issue #12) recorded one global log seq S instead of the offsets: it is read as
// offsets all = S, which is exact because the embedded log's seqs were global (every event of every
// partition with seq <= S was folded in) and its offsets are those seqs.
// SaveSnapshot writes the chunks of a new generation, then atomically switches `meta` to it and deletes
// every other generation's keys; a crash mid-save leaves the previous snapshot intact (and the orphan
// chunks are removed by the next save).
//
// Consistency: `covered[p]` must be a watermark of partition p: every event of p with offset <= it has
// been applied (the pipeline's applied_offsets()). Called beside concurrent applies it is still correct
// for in-memory sessions, because replay skips events whose offset is <= a session's last_seq (a
// listener lives in one partition, where offsets increase; docs/sessions.md, "Snapshots").
// Thread-safety: as the tracker's and the stores' methods (each shard is locked while it is encoded).
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "log/partition_source.h"
#include "log/state_store.h"

namespace segue {

class EventObserver;
class SessionTracker;

struct SnapshotInfo {
  PartitionOffsets offsets;  // every event of partition p with offset <= offsets[p] is folded in
  uint64_t generation = 0;
  uint64_t records = 0;  // sessions + parked profiles
  uint64_t bytes = 0;    // encoded size of all chunks
};

// Part of a partition's tail after the snapshot that retention may have removed before it was replayed.
struct TrimmedTail {
  uint32_t partition = 0;
  uint64_t after = 0;    // the snapshot's offset of the partition
  uint64_t through = 0;  // offsets in (after, through] may be lost
};

struct RestoreReport {
  bool snapshot_found = false;
  uint32_t snapshot_version = 0;      // 1 = a pre-#12 snapshot read as offsets all = its seq
  PartitionOffsets snapshot_offsets;  // [partitions], all 0 without a snapshot
  uint64_t replayed = 0;              // log events after the snapshot handed to Apply()
  PartitionOffsets offsets;           // [partitions]: highest offset now folded in (a pipeline starts here)
  std::vector<TrimmedTail> trimmed;   // empty when every tail was complete
};

// covered.size() is the number of partitions.
Result<SnapshotInfo> SaveSnapshot(const SessionTracker& tracker, StateStore& store, const PartitionOffsets& covered);

// Loads the latest snapshot (if any) into `tracker` (which should be empty) and applies every event of
// each partition after the snapshot's offset of it, partition by partition, in offset order. Corrupt
// snapshot data, or a snapshot of another partition count, is an error (the caller decides whether to
// start empty). Each replayed event the tracker applied is also handed to `observers` with its outcome,
// as LiveScoring hands served events (event_observer.h): an observer that saves its own state beside the
// snapshot catches up on the tail, recognising per listener by offset what it had already counted.
Result<RestoreReport> RestoreSessions(SessionTracker& tracker, const StateStore& store, const PartitionSource& source,
                                      const std::vector<EventObserver*>& observers = {});

}  // namespace segue
