// Disengagement labels: which moments are decision points and whether each one is positive.
//
// Definitions (docs/models.md "Labels"), over ONE listener's events sorted by time (ties keep input order):
//  - Sessions: a new session starts after an `exit` event or when more than `session_timeout_ms`
//    passed since the previous event (the same rule as the SessionTracker).
//  - Plays: a `play` event starts a play; it is *skipped* if a `skip` event comes before the next
//    `play`, `exit` or the session's end. A play is *ongoing* from its `play` event until a `complete`,
//    `skip` or `exit`.
//  - Decision point: an event that ends a play or interrupts it: `complete`, `skip`, `pause`, `seek`,
//    and a `play` that replaces an ongoing play. Each is labelled as of its own time t.
//  - Positive when, within (t, t + horizon], at least one of:
//      exit    – an `exit` event later in the same session, or the session times out: a timed-out
//                session counts as left at the time of its last event (that is when the listener
//                stopped), so the last decision point of such a session is positive for any horizon;
//      search  – a `search` event later in the same session (Spotify `clickrow` starts are imported
//                as searches);
//      burst   – among the next `burst_window` plays of the session (those started after the
//                decision event, or by it when a `play` replaces the ongoing one), at least
//                `burst_skips` are skipped, the burst_skips-th skip at or before t + horizon.
//    Otherwise negative ("continuous play").
// The per-decision skip info (which play of the session just ended, whether the next one was skipped)
// feeds the WSDM Cup 2019 skip-prediction metrics (mssd_metrics.h).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "events/event.h"

namespace segue {

struct LabelConfig {
  int64_t horizon_ms = 30 * 60 * 1000;
  int burst_skips = 3;   // S
  int burst_window = 5;  // W
  int64_t session_timeout_ms = 30 * 60 * 1000;
};
// kInvalidArgument naming the field when a value is out of range.
Status ValidateLabelConfig(const LabelConfig& config);

struct TimelineEvent {
  int64_t ts_ms = 0;
  EventType type = EventType::kPlay;
};

// Why a decision is positive (bits), for docs and error analysis.
enum LabelReason : uint8_t {
  kReasonExit = 1 << 0,
  kReasonTimeout = 1 << 1,
  kReasonSearch = 1 << 2,
  kReasonSkipBurst = 1 << 3,
};

struct DecisionLabel {
  size_t event_index = 0;     // index into the timeline
  bool positive = false;
  uint8_t reasons = 0;        // LabelReason bits (all that apply)
  uint32_t session = 0;       // 0-based session ordinal of this listener
  // For play-ending decisions (complete, skip, replacing play): the 0-based index within the session
  // of the play that ended; -1 for pause / seek.
  int32_t ended_play = -1;
  int8_t next_play_skipped = -1;  // 1/0 when the session has a play after ended_play, -1 otherwise
};

// THE decision-point rule, shared by training (BuildLabels) and serving (DisengagementScorer::IsDecisionPoint,
// from the tracker's ApplyOutcome): an event of `type` is a decision point iff it is a complete, skip, pause,
// seek or play AND a play was ongoing just before it. One rule, so the server never scores a moment the
// model was not trained on (a pause with nothing playing, a repeated complete, a skip of an unknown play).
bool IsDecisionEvent(EventType type, bool play_ongoing);

// The labels of every decision point of one listener's time-sorted timeline, in timeline order.
std::vector<DecisionLabel> BuildLabels(const std::vector<TimelineEvent>& timeline, const LabelConfig& config);

// The sessions of a timeline as the labels cut them (timeline indices of their first and last event, and
// whether an `exit` event ended it rather than the timeout): what history statistics count.
struct SessionSpan {
  size_t first = 0;
  size_t last = 0;
  bool exited = false;
};
std::vector<SessionSpan> SessionSpans(const std::vector<TimelineEvent>& timeline, const LabelConfig& config);

// Plays per session (index = session ordinal) and, per play, whether it was skipped: what the MSSD
// metrics need to know about session halves. plays[s][k] = 1 if play k of session s was skipped.
std::vector<std::vector<uint8_t>> SessionPlaySkips(const std::vector<TimelineEvent>& timeline,
                                                   const LabelConfig& config);

}  // namespace segue
