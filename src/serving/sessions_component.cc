#include "serving/sessions_component.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace segue::serving {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

SessionsComponent::SessionsComponent(SessionTracker* tracker, EventLog* log, SessionMaintenanceOptions options,
                                     std::function<uint64_t()> applied_seq)
    : tracker_(tracker), log_(log), options_(options), applied_seq_(std::move(applied_seq)) {}

Result<RestoreReport> SessionsComponent::Restore() {
  Clock::time_point start = Clock::now();
  Result<RestoreReport> restored = RestoreSessions(*tracker_, *log_, replay_observers_);
  if (!restored.ok()) {
    spdlog::error("session restore failed: {}", restored.status().message());
    return restored;
  }
  spdlog::info("sessions restored: snapshot {} (seq {}), {} events replayed, {} active sessions, {} ms",
               restored->snapshot_found ? "found" : "absent", restored->snapshot_seq, restored->replayed,
               tracker_->active_sessions(), MillisSince(start));
  if (restored->missing_from) {
    spdlog::warn("log events {}..{} were removed by retention before they were snapshotted", restored->missing_from,
                 restored->missing_to);
  }
  snapshot_seq_ = restored->snapshot_seq;
  return restored;
}

void SessionsComponent::Register(ServerHost& host) {
  const SessionTracker* tracker = tracker_;
  host.registry().AddCallbackGauge("segue_sessions_active", "Sessions held in memory.",
                                   [tracker] { return static_cast<double>(tracker->active_sessions()); });
  host.Every(std::chrono::seconds(options_.snapshot_interval_s), [this] { Snapshot(); });
  if (options_.snapshot_every_events > 0) {
    host.Every(std::chrono::seconds(1), [this] {
      if (applied_seq_() >= snapshot_seq_ + options_.snapshot_every_events) Snapshot();
    });
  }
  host.Every(std::chrono::seconds(options_.evict_interval_s), [this] {
    size_t evicted = tracker_->EvictIdle(tracker_->watermark_ms());
    if (evicted) spdlog::debug("evicted {} idle sessions", evicted);
  });
}

void SessionsComponent::FinalSnapshot() { Snapshot(); }

void SessionsComponent::Snapshot() {
  Clock::time_point start = Clock::now();
  Result<SnapshotInfo> info = SaveSnapshot(*tracker_, *log_, applied_seq_());
  if (info.ok()) {
    snapshot_seq_ = info->seq;
    spdlog::info("session snapshot at seq {}: {} records, {} bytes in {} ms", info->seq, info->records, info->bytes,
                 MillisSince(start));
  } else {
    spdlog::error("session snapshot failed: {}", info.status().message());
  }
  if (after_snapshot_) after_snapshot_();
}

}  // namespace segue::serving
