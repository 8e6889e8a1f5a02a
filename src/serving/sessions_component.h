// The server's side of session state: restores the tracker at start-up (snapshot from the StateStore +
// each partition's tail from the PartitionSource), keeps the
// snapshot fresh (every snapshot_interval_s, and every snapshot_every_events applied events so a restart
// replays a bounded tail however long the log is), evicts idle sessions, writes the final snapshot on
// shutdown, and reports segue_sessions_active.
//
// With options.snapshots off (a bus node: src/nodes/ checkpoints sessions per partition) it only evicts
// and reports: Restore restores nothing and no snapshot is written.
// A snapshot covers the pipeline's per-partition watermarks (AppliedProgress::offsets): every event of
// partition p up to offsets[p] is in the tracker, so a restore replays each partition from there.
// Thread-safety: Restore and FinalSnapshot from the application's thread while nothing else runs; the
// periodic tasks run on the maintenance thread (one at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"
#include "serving/server_config.h"
#include "serving/server_host.h"
#include "session/event_observer.h"
#include "session/session_snapshot.h"
#include "session/session_tracker.h"

namespace segue::serving {

// What the pipeline has applied (valid once Restore succeeded).
struct AppliedProgress {
  std::function<PartitionOffsets()> offsets;  // per-partition watermarks
  std::function<uint64_t()> events;           // events applied since the pipeline started
};

class SessionsComponent : public ServerComponent {
 public:
  // All pointers outlive this.
  SessionsComponent(SessionTracker* tracker, StateStore* state, const PartitionSource* source,
                    SessionMaintenanceOptions options, AppliedProgress applied);

  // Loads the snapshot and replays each partition after it, logging what it did.
  Result<RestoreReport> Restore();

  // Metrics, and the snapshot and eviction tasks.
  void Register(ServerHost& host) override;

  void FinalSnapshot();

  // Runs fn after every snapshot attempt (periodic and final), on the same thread: state kept beside the
  // sessions (experiment statistics) is saved right after them, so it covers at least what they cover.
  // Call before Register.
  void AfterEachSnapshot(std::function<void()> fn) { after_snapshot_ = std::move(fn); }
  // `observer` also sees the log tail Restore replays (session_snapshot.h). Call before Restore.
  void ReplayTailTo(EventObserver* observer) { replay_observers_.push_back(observer); }

 private:
  void Snapshot();

  SessionTracker* tracker_;
  StateStore* state_;
  const PartitionSource* source_;
  SessionMaintenanceOptions options_;
  AppliedProgress applied_;
  std::function<void()> after_snapshot_;
  std::vector<EventObserver*> replay_observers_;
  // Events folded in since start-up (the restore's replayed tail, then applied_.events()) at the newest
  // snapshot, and the tail: the count that snapshot_every_events compares (maintenance thread only).
  uint64_t snapshot_events_ = 0;
  uint64_t replayed_ = 0;
};

}  // namespace segue::serving
