// From a listener's events to the bounded ListenerHistory (listener_history.h): the one place that
// turns the session tracker's ended plays into history entries, used by `segue eval retrieval`, by
// the server's HistoryStore (history_store.h) and by whoever trains on histories.
//
// Contract:
//  - A play counts when it ends (ApplyOutcome::play_ended); `engaged` follows IsEngagedPlay
//    (features/engagement.h), `skips` counts PlayEnd::kSkipped, `last_ms` is the start (event time) of
//    the track's latest play. A play cut by a session timeout is not reported by the tracker and is not
//    counted (importers and clients end plays explicitly).
//  - Bounded: at most `max_tracks` entries. When a new track arrives at a full history, the least
//    valuable eighth is dropped at once (amortised O(1) per play): value = last_ms +
//    engaged × kEngagedPlayWorthMs, so a track played often survives a newer one played once.
// Thread-safety: pure functions over caller-owned data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "catalog/catalog.h"
#include "events/event.h"
#include "recommend/listener_history.h"
#include "session/session_state.h"
#include "session/session_tracker.h"

namespace segue::recommend {

inline constexpr size_t kDefaultHistoryTracks = 500;
// Each engaged play keeps a track in a full history as long as a play one week more recent would.
inline constexpr int64_t kEngagedPlayWorthMs = 7LL * 24 * 3600 * 1000;

// Event time at which `play` (an element of session.plays) started.
inline int64_t PlayStartMs(const SessionState& session, const PlayRecord& play) {
  return session.start_ms + play.start_offset_ms;
}

// Folds one ended play, started at `start_ms`, into `history`.
void AddPlayToHistory(const PlayRecord& play, int64_t start_ms, size_t max_tracks, ListenerHistory* history);

// The play `outcome` says ended, inside `after` (the listener's state right after that Apply), or
// nullptr when nothing ended.
const PlayRecord* EndedPlay(const SessionState& after, const ApplyOutcome& outcome);

// Replays one listener's events (time order) through a fresh SessionTracker and folds every ended play.
ListenerHistory BuildListenerHistory(std::span<const Event> events, Catalog* catalog, size_t max_tracks,
                                     const SessionTrackerOptions& tracker_options = {});

}  // namespace segue::recommend
