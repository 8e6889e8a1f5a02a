#include "serving/sessions_component.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

namespace segue::serving {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

uint64_t MaxOffset(const PartitionOffsets& offsets) {
  return offsets.empty() ? 0 : *std::max_element(offsets.begin(), offsets.end());
}

void LogRestore(const RestoreReport& r, size_t active_sessions, int64_t ms) {
  spdlog::info("sessions restored: snapshot {} (version {}, offsets up to {}), {} events replayed over {} "
               "partitions, {} active sessions, {} ms",
               r.snapshot_found ? "found" : "absent", r.snapshot_version, MaxOffset(r.snapshot_offsets), r.replayed,
               r.offsets.size(), active_sessions, ms);
  for (const TrimmedTail& t : r.trimmed) {
    spdlog::warn("partition {}: events after offset {} up to {} may have been removed by retention before they "
                 "were snapshotted",
                 t.partition, t.after, t.through);
  }
}

}  // namespace

SessionsComponent::SessionsComponent(SessionTracker* tracker, StateStore* state, const PartitionSource* source,
                                     SessionMaintenanceOptions options, AppliedProgress applied)
    : tracker_(tracker), state_(state), source_(source), options_(options), applied_(std::move(applied)) {}

Result<RestoreReport> SessionsComponent::Restore() {
  if (!options_.snapshots) {
    RestoreReport nothing;  // every partition at offset 0: whoever starts from it sizes by the partitions
    nothing.snapshot_offsets.assign(source_->partitions(), 0);
    nothing.offsets = nothing.snapshot_offsets;
    return nothing;
  }
  Clock::time_point start = Clock::now();
  Result<RestoreReport> restored = RestoreSessions(*tracker_, *state_, *source_, replay_observers_);
  if (!restored.ok()) {
    spdlog::error("session restore failed: {}", restored.status().message());
    return restored;
  }
  LogRestore(*restored, tracker_->active_sessions(), MillisSince(start));
  replayed_ = restored->replayed;
  return restored;
}

void SessionsComponent::Register(ServerHost& host) {
  const SessionTracker* tracker = tracker_;
  host.registry().AddCallbackGauge("segue_sessions_active", "Sessions held in memory.",
                                   [tracker] { return static_cast<double>(tracker->active_sessions()); });
  if (options_.snapshots) host.Every(std::chrono::seconds(options_.snapshot_interval_s), [this] { Snapshot(); });
  if (options_.snapshots && options_.snapshot_every_events > 0) {
    host.Every(std::chrono::seconds(1), [this] {
      if (replayed_ + applied_.events() >= snapshot_events_ + options_.snapshot_every_events) Snapshot();
    });
  }
  host.Every(std::chrono::seconds(options_.evict_interval_s), [this] {
    size_t evicted = tracker_->EvictIdle(tracker_->watermark_ms());
    if (evicted) spdlog::debug("evicted {} idle sessions", evicted);
  });
}

void SessionsComponent::FinalSnapshot() {
  if (options_.snapshots) Snapshot();
}

void SessionsComponent::Snapshot() {
  Clock::time_point start = Clock::now();
  // Read before the offsets: every event counted is then covered by them.
  const uint64_t events = replayed_ + applied_.events();
  Result<SnapshotInfo> info = SaveSnapshot(*tracker_, *state_, applied_.offsets());
  if (info.ok()) {
    snapshot_events_ = events;
    spdlog::info("session snapshot (offsets up to {} over {} partitions): {} records, {} bytes in {} ms",
                 MaxOffset(info->offsets), info->offsets.size(), info->records, info->bytes, MillisSince(start));
  } else {
    spdlog::error("session snapshot failed: {}", info.status().message());
  }
  if (after_snapshot_) after_snapshot_();
}

}  // namespace segue::serving
