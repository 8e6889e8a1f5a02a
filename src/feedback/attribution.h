// Attribution: one listener's feedback state and the pure rules that turn their events into outcomes
// (feedback/outcome.h has what each kind means). FeedbackCollector (feedback_collector.h) keeps one
// ListenerFeedback per listener with something pending, locks, persists and reports; everything that
// decides an outcome is here, so it is deterministic: the same state and events give the same outcomes
// (the restart argument in feedback_collector.h rests on that).
//
// Rules (times are event times, `seq` the log sequence):
//  - An impression is pending from when the collector learns of it until event_ts + window. Only events
//    after it in event time (ts > event_ts) count for it, except a play naming it by rec_id: so no event
//    the recommendation was computed from counts, whether it is folded before or, after a restart, again.
//  - A play is attributed to the pending impression named by context.rec_id, else to the newest pending
//    impression listing its track; at most one play per (impression, track). The attributed play is
//    decided when it ends: `complete` → completed; otherwise (skip, another play, exit, a session
//    timeout, a skip/complete naming another track) listened if it played >= 30 s, else skipped.
//    Played time excludes pauses, like the session tracker's dwell.
//  - A search / an exit before any play of an impression's tracks gives that impression one search /
//    exit outcome; the impression stays pending (a later play still counts).
//  - At the window's end an impression with no outcome at all is ignored. Expiry is decided by the
//    listener's own events (ApplyEvent) or by a watermark (Expire).
// Plain data and free functions; no synchronisation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"
#include "feedback/outcome.h"

namespace segue::feedback {

inline constexpr int64_t kListenedMs = 30'000;  // played at least this long: listened, not skipped

struct AttributionOptions {
  int64_t window_ms = 30 * 60 * 1000;           // [feedback] window_ms
  int64_t session_timeout_ms = 30 * 60 * 1000;  // the tracker's: silence that ends a play (timed out)
  size_t max_pending_per_listener = 16;         // beyond it the listener's oldest impression is dropped
};

struct PendingImpression {
  std::string rec_id;
  bool pushed = false;
  int64_t event_ts_ms = 0;
  std::vector<std::string> track_ids;
  std::vector<std::string> played;  // tracks whose play was attributed (decided or in progress)
  bool searched = false;            // a search outcome was given
  bool exited = false;              // an exit outcome was given

  bool operator==(const PendingImpression&) const = default;
};

// The listener's current play, when it was attributed.
struct AttributedPlay {
  std::string rec_id;
  std::string track_id;
  bool pushed = false;
  int64_t impression_ts_ms = 0;
  int64_t played_ms = 0;          // time in the playing state before counting_since
  int64_t counting_since = -1;    // event time it (re)started playing; -1 while paused
  int64_t last_event_ms = 0;      // the listener's latest event time while it plays (timeout rule)

  bool operator==(const AttributedPlay&) const = default;
};

struct ListenerFeedback {
  uint64_t seq = 0;  // the last event that changed this state; replays skip events at or below it
  std::vector<PendingImpression> pending;  // oldest first
  std::optional<AttributedPlay> play;

  bool empty() const { return pending.empty() && !play; }
  bool operator==(const ListenerFeedback&) const = default;
};

// Adds an impression; returns how many of the listener's oldest impressions were dropped to respect
// max_pending_per_listener (0 or 1; a dropped impression gets no outcome).
size_t AddImpression(const AttributionOptions& options, PendingImpression impression, ListenerFeedback* state);

// Folds one of the listener's events (log order) into `state`, appending decided outcomes (user_id
// and seq filled in). Returns true when the state changed (the caller persists it).
bool ApplyEvent(const AttributionOptions& options, const Event& event, uint64_t seq, ListenerFeedback* state,
                std::vector<Outcome>* out);

// Decides what the watermark ends: impressions whose window closed before it (ignored when they have no
// outcome) and a play whose listener has been silent for a session timeout. Returns true on change.
bool Expire(const AttributionOptions& options, std::string_view user_id, int64_t watermark_ms,
            ListenerFeedback* state, std::vector<Outcome>* out);

}  // namespace segue::feedback
