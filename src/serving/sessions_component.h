// The server's side of session state: restores the tracker at start-up (snapshot + log tail), keeps the
// snapshot fresh (every snapshot_interval_s, and every snapshot_every_events applied events so a restart
// replays a bounded tail however long the log is), evicts idle sessions, writes the final snapshot on
// shutdown, and reports segue_sessions_active.
//
// A snapshot covers the pipeline's watermark (`applied_seq`): every event up to it is in the tracker,
// so a restore replays from there.
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

class SessionsComponent : public ServerComponent {
 public:
  // `applied_seq`: the pipeline's watermark (valid once Restore succeeded). All pointers outlive this.
  SessionsComponent(SessionTracker* tracker, EventLog* log, SessionMaintenanceOptions options,
                    std::function<uint64_t()> applied_seq);

  // Loads the snapshot and replays the log after it, logging what it did.
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
  EventLog* log_;
  SessionMaintenanceOptions options_;
  std::function<uint64_t()> applied_seq_;
  std::function<void()> after_snapshot_;
  std::vector<EventObserver*> replay_observers_;
  uint64_t snapshot_seq_ = 0;  // seq covered by the newest snapshot (maintenance thread only after Restore)
};

}  // namespace segue::serving
