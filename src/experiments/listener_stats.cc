#include "experiments/listener_stats.h"

#include <algorithm>

#include "common/hash.h"

namespace segue::experiments {
namespace {

// Resolves the pending triggers this event decides (see the header) and keeps the others.
void ResolvePending(ListenerStats& s, const Event& e, const ApplyOutcome& outcome, int64_t horizon_ms) {
  size_t kept = 0;
  for (size_t i = 0; i < s.pending_count; ++i) {
    const int64_t deadline = s.pending[i] + horizon_ms;
    const bool exited = e.type == EventType::kExit && e.ts_ms <= deadline;
    const bool disengaged = exited || outcome.new_session;
    if (disengaged || e.ts_ms > deadline) {
      ++s.unacted_resolved;
      if (disengaged) ++s.unacted_disengaged;
    } else {
      s.pending[kept++] = s.pending[i];
    }
  }
  s.pending_count = static_cast<uint8_t>(kept);
}

void EndSession(ListenerStats& s, int64_t end_ms) {
  ++s.sessions_ended;
  s.session_ms += std::max<int64_t>(0, end_ms - s.session_start_ms);
  s.session_open = false;
}

}  // namespace

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kTriggerRate: return "trigger_rate";
    case Metric::kTriggerPrecision: return "trigger_precision";
    case Metric::kFalsePositiveRate: return "false_positive_rate";
    case Metric::kClickThrough: return "click_through";
    case Metric::kListeningMsAfterRec: return "listening_ms_after_rec";
    case Metric::kSkipRate: return "skip_rate";
    case Metric::kSessionLengthMs: return "session_length_ms";
    case Metric::kExitRate: return "exit_rate";
  }
  return "trigger_rate";
}

bool CountEvent(ListenerStats& s, const LoggedEvent& logged, const ApplyOutcome& outcome, int64_t horizon_ms) {
  if (logged.seq != 0 && logged.seq <= s.last_seq) {
    s.replaying = true;
    return false;
  }
  s.replaying = false;
  s.last_seq = std::max(s.last_seq, logged.seq);
  const Event& e = logged.event;
  ResolvePending(s, e, outcome, horizon_ms);
  if (outcome.new_session) {
    // The previous session timed out (or was evicted idle): it ended at its last event.
    if (s.session_open) EndSession(s, s.last_event_ms);
    ++s.sessions;
    s.session_open = true;
    s.session_start_ms = e.ts_ms;
  }
  if (outcome.play_ended) {
    ++s.plays;
    if (outcome.how == PlayEnd::kSkipped) ++s.skips;
  }
  s.last_event_ms = std::max(s.last_event_ms, e.ts_ms);
  if (e.type == EventType::kExit && outcome.session_ended && s.session_open) {
    ++s.exits;
    EndSession(s, e.ts_ms);
  }
  return true;
}

void CountTrigger(ListenerStats& s, int64_t ts_ms, bool acted) {
  ++s.triggers;
  if (acted) {
    ++s.pushed;
    return;
  }
  if (s.pending_count == kMaxPending) {
    std::copy(s.pending.begin() + 1, s.pending.end(), s.pending.begin());
    --s.pending_count;
  }
  s.pending[s.pending_count++] = ts_ms;
}

void CountOutcome(ListenerStats& s, const feedback::Outcome& o) {
  const uint64_t h = Fnv1a64(o.rec_id);
  size_t slot = kRecentRecs;
  for (size_t i = 0; i < kRecentRecs; ++i) {
    if (s.recent_recs[i] == h) slot = i;
  }
  if (slot == kRecentRecs) {
    slot = s.recent_next;
    s.recent_next = static_cast<uint8_t>((slot + 1) % kRecentRecs);
    s.recent_recs[slot] = h;
    s.recent_engaged = static_cast<uint8_t>(s.recent_engaged & ~(1u << slot));
    ++s.recs;
    if (o.pushed) ++s.pushed_recs;
  }
  if (feedback::IsEngaged(o.kind) && !(s.recent_engaged & (1u << slot))) {
    s.recent_engaged = static_cast<uint8_t>(s.recent_engaged | (1u << slot));
    if (o.pushed) ++s.clicked;
  }
  s.listening_ms += o.listened_ms;
}

std::pair<double, double> MetricInputs(const ListenerStats& s, Metric metric) {
  switch (metric) {
    case Metric::kTriggerRate: return {s.sessions, s.triggers};
    case Metric::kTriggerPrecision: return {s.unacted_resolved, s.unacted_disengaged};
    case Metric::kFalsePositiveRate: return {s.unacted_resolved, s.unacted_resolved - s.unacted_disengaged};
    case Metric::kClickThrough: return {s.pushed_recs, s.clicked};
    case Metric::kListeningMsAfterRec: return {s.recs, static_cast<double>(s.listening_ms)};
    case Metric::kSkipRate: return {s.plays, s.skips};
    case Metric::kSessionLengthMs: return {s.sessions_ended, static_cast<double>(s.session_ms)};
    case Metric::kExitRate: return {s.sessions_ended, s.exits};
  }
  return {0, 0};
}

}  // namespace segue::experiments
