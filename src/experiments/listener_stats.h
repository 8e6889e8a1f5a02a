// ListenerStats: one listener's counts in one experiment, and how events, triggers and outcomes fold
// into them. The report (experiment_report.h) turns each metric into a ratio over listeners: MetricInputs
// gives one listener's denominator x and numerator y.
//
//   metric                  x (denominator)                  y (numerator)
//   trigger_rate            sessions started                 triggers
//   trigger_precision       not-acted triggers resolved      ... of them followed by disengagement
//   false_positive_rate     not-acted triggers resolved      ... of them NOT followed by disengagement
//   click_through           pushed impressions with outcome  ... of them engaged (listened, completed)
//   listening_ms_after_rec  impressions with an outcome      ms played from their tracks
//   skip_rate               plays ended                      plays skipped
//   session_length_ms       sessions ended                   their summed length (first → last event)
//   exit_rate               sessions ended                   sessions ended by an exit event
//
// A trigger not acted on (a shadow arm's, a threshold arm's below its threshold, or one another
// experiment withheld) is pending until resolved, in event time: disengaged if an exit comes within
// horizon_ms of it or its session ends without one (the listener's next event starts a new session);
// not disengaged once an event later than the horizon arrives in the same session. A listener who never
// sends another event leaves it pending (not counted). At most kMaxPending are pending; an older one is
// dropped unresolved. false_positive_rate is therefore the share of unneeded triggers among the resolved
// ones (1 - precision): decision points that did not fire are not observed here, so a classical
// FP / (FP + TN) cannot be formed.
// Outcomes count once per impression (rec_id) for recs / pushed_recs / clicked, recognised among the
// listener's last kRecentRecs impressions; every outcome adds its listened_ms.
// Replays: CountEvent refuses an event whose log seq is not newer than the last one counted and marks the
// listener as replaying, so the trigger that event causes is not counted twice either.
// Plain values; the caller serialises access.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "events/event.h"
#include "feedback/outcome.h"
#include "session/session_tracker.h"

namespace segue::experiments {

enum class Metric : uint8_t {
  kTriggerRate,
  kTriggerPrecision,
  kFalsePositiveRate,
  kClickThrough,
  kListeningMsAfterRec,
  kSkipRate,
  kSessionLengthMs,
  kExitRate,
};
inline constexpr int kMetricCount = 8;
std::string_view MetricName(Metric metric);

inline constexpr size_t kMaxPending = 4;
inline constexpr size_t kRecentRecs = 8;

struct ListenerStats {
  uint64_t last_seq = 0;  // newest log seq counted
  int64_t session_start_ms = 0;
  int64_t last_event_ms = 0;
  int64_t session_ms = 0;    // summed length of ended sessions
  int64_t listening_ms = 0;  // played from recommended tracks
  uint32_t arm = 0;
  uint32_t sessions = 0, sessions_ended = 0, exits = 0, plays = 0, skips = 0;
  uint32_t triggers = 0, pushed = 0, unacted_resolved = 0, unacted_disengaged = 0;
  uint32_t recs = 0, pushed_recs = 0, clicked = 0;
  std::array<int64_t, kMaxPending> pending{};  // event times of not-acted triggers, oldest first
  std::array<uint64_t, kRecentRecs> recent_recs{};  // FNV-1a of recent rec_ids (a ring)
  uint8_t pending_count = 0;
  uint8_t recent_engaged = 0;  // bit i: recent_recs[i] already had an engaged outcome
  uint8_t recent_next = 0;
  bool session_open = false;
  bool replaying = false;  // the latest event had been counted before (not persisted)
};

// False (nothing counted) when the event's seq is not newer than last_seq.
bool CountEvent(ListenerStats& s, const LoggedEvent& e, const ApplyOutcome& outcome, int64_t horizon_ms);
void CountTrigger(ListenerStats& s, int64_t ts_ms, bool acted);
void CountOutcome(ListenerStats& s, const feedback::Outcome& outcome);

// (x, y) of one listener for `metric` (table above).
std::pair<double, double> MetricInputs(const ListenerStats& s, Metric metric);

}  // namespace segue::experiments
