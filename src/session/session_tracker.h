// SessionTracker: the per-listener session state machine (docs/sessions.md is the full specification).
//
// Contract:
//  - Apply() folds one event into its listener's SessionState. Events of one listener must be applied
//    in log order by one caller at a time (a pipeline worker owns each listener's partition); events may be slightly
//    late in event time: up to `reorder_tolerance_ms` older than the listener's latest event they are
//    applied with clamped dwell arithmetic, older ones only increment counters.late_events.
//  - A session ends with an `exit` event or after `session_timeout_ms` of EVENT time without events; the
//    next event starts session_number + 1. Ending a session folds it into the listener's UserProfile.
//  - Apply() never reads the wall clock: replaying the same events gives the same states (training
//    replays event files through this same class). Only EvictIdle() takes a time, from the caller.
//  - Memory is bounded: EvictIdle() drops sessions idle longer than the timeout (ending them exactly as a
//    timeout would), `max_sessions` caps in-memory sessions (the least recently active are ended early
//    when a shard is full), and the profile table keeps at most `max_profiles` listeners (the least
//    recently seen are forgotten).
//  - Track ids are interned through the Catalog; the catalog must outlive the tracker.
// Thread-safety: every method is safe to call concurrently. State is sharded by user (a mutex and a hash
// map per shard); Visit() runs the callback under the shard lock, so it must be short and must not call
// back into the tracker.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.h"
#include "session/session_state.h"

namespace segue {

class Catalog;

struct SessionTrackerOptions {
  uint32_t shards = 64;
  uint32_t max_plays = 64;                        // plays kept per session (ring, oldest dropped)
  int64_t session_timeout_ms = 30 * 60 * 1000;    // event-time inactivity that ends a session
  int64_t reorder_tolerance_ms = 10 * 1000;       // how late (event time) an event may still be applied
  size_t max_sessions = 1'000'000;                // in-memory sessions, all shards together
  size_t max_profiles = 4'000'000;                // long-term profiles kept, all shards together
};

// What one Apply() did: the hook for decision points (issue #3 scores when a play ends).
struct ApplyOutcome {
  bool applied = false;        // false: late beyond the tolerance or an already-applied seq
  bool late = false;           // older than the tolerance: only counters.late_events moved
  bool duplicate = false;      // seq <= the listener's last applied seq (replay overlap)
  bool new_session = false;    // this event started a session
  bool session_ended = false;  // a session ended: the previous one timed out, or this event is an exit
  bool play_was_ongoing = false;  // a play of the session this event applied to was ongoing just before it
  bool play_ended = false;     // a play of the current session ended on this event
  PlayEnd how = PlayEnd::kOngoing;  // how it ended, when play_ended
  uint32_t ended_track = 0;    // interned track of the play that ended, when play_ended
};

struct SessionTrackerStats {
  uint64_t events_applied = 0;
  uint64_t late_events = 0;
  uint64_t duplicate_events = 0;
  uint64_t sessions_started = 0;
  uint64_t sessions_ended = 0;
  uint64_t evicted_idle = 0;
  uint64_t evicted_capacity = 0;  // sessions ended early because max_sessions was reached
  uint64_t profiles_dropped = 0;  // profiles forgotten because max_profiles was reached
};

class SessionTracker {
 public:
  SessionTracker(Catalog* catalog, SessionTrackerOptions options = {});
  ~SessionTracker();
  SessionTracker(const SessionTracker&) = delete;
  SessionTracker& operator=(const SessionTracker&) = delete;

  // `seq` is the event's offset in its log partition (0 when replaying a file without one: no duplicate
  // detection); a listener lives in one partition, so its events' offsets increase.
  ApplyOutcome Apply(const Event& event, uint64_t seq = 0);
  ApplyOutcome Apply(const LoggedEvent& logged) { return Apply(logged.event, logged.seq); }

  // Ends and drops sessions whose last event is older than now_ms - (timeout + reorder tolerance)
  // (exited sessions: older than now_ms - tolerance); their profiles move to the profile table. The
  // server passes watermark_ms() (event time, so replays behave identically). Returns sessions evicted.
  size_t EvictIdle(int64_t now_ms);

  // Calls fn with the listener's state under its shard lock (no copy). False if there is none.
  bool Visit(std::string_view user_id, const std::function<void(const SessionState&)>& fn) const;
  std::optional<SessionState> Get(std::string_view user_id) const;
  // The listener's long-term profile, whether its session is in memory or evicted.
  std::optional<UserProfile> GetProfile(std::string_view user_id) const;

  size_t active_sessions() const { return active_.load(std::memory_order_relaxed); }
  size_t profiles() const { return profiles_.load(std::memory_order_relaxed); }
  // Largest event time applied so far (the event-time watermark), 0 before the first event.
  int64_t watermark_ms() const { return watermark_.load(std::memory_order_relaxed); }
  SessionTrackerStats stats() const;
  const SessionTrackerOptions& options() const { return options_; }
  Catalog& catalog() const { return *catalog_; }

  // Snapshot support (session_snapshot.h). ForEach* hold one shard lock at a time; Restore* insert or
  // replace (meant for an empty tracker before any Apply).
  uint32_t shard_count() const { return options_.shards; }
  void ForEachSession(uint32_t shard, const std::function<void(const SessionState&)>& fn) const;
  void ForEachProfile(uint32_t shard,
                      const std::function<void(std::string_view user, const UserProfile&)>& fn) const;
  void RestoreSession(SessionState state);
  void RestoreProfile(std::string user_id, const UserProfile& profile);

 private:
  struct Shard;
  Shard& ShardOf(std::string_view user_id) const;
  // Ends `s` if still open and moves its profile to the shard's profile table (bounded). Caller erases
  // the session and holds the shard lock. Returns profiles forgotten to respect max_profiles.
  size_t Park(Shard& shard, SessionState& s);
  // Parks (and erases) up to `limit` sessions of the shard for which pred(state) holds.
  template <typename Pred>
  size_t ParkWhere(Shard& shard, size_t limit, Pred pred);
  // max_sessions reached in this shard: parks its least recently active tenth.
  void EvictOldest(Shard& shard);

  Catalog* catalog_;
  SessionTrackerOptions options_;
  std::unique_ptr<Shard[]> shards_;
  size_t shard_session_cap_;
  size_t shard_profile_cap_;
  std::atomic<size_t> active_{0};
  std::atomic<size_t> profiles_{0};
  std::atomic<int64_t> watermark_{0};
  struct Counters;
  std::unique_ptr<Counters> counters_;
};

}  // namespace segue
