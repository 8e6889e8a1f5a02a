#include "feedback/attribution.h"

#include <algorithm>

namespace segue::feedback {
namespace {

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Ends the attributed play at `end_ms` and appends its outcome (decided by `seq`, 0 for the clock).
void EndPlay(std::string_view user_id, int64_t end_ms, bool completed, uint64_t seq, ListenerFeedback* state,
             std::vector<Outcome>* out) {
  const AttributedPlay& p = *state->play;
  const int64_t played = p.played_ms + (p.counting_since >= 0 ? std::max<int64_t>(0, end_ms - p.counting_since) : 0);
  const OutcomeKind kind = completed            ? OutcomeKind::kCompleted
                           : played >= kListenedMs ? OutcomeKind::kListened
                                                   : OutcomeKind::kSkipped;
  out->push_back(Outcome{p.rec_id, std::string(user_id), p.track_id, kind, p.pushed, p.impression_ts_ms, end_ms,
                         played, seq});
  state->play.reset();
}

// The pending impression a play of `track` (with the event's rec_id) belongs to, or null (rules in the header).
PendingImpression* FindImpression(const Event& e, std::string_view track, ListenerFeedback* state) {
  auto& pending = state->pending;
  if (!e.context.rec_id.empty()) {
    auto named = std::find_if(pending.begin(), pending.end(),
                              [&](const PendingImpression& p) { return p.rec_id == e.context.rec_id; });
    if (named != pending.end()) return Contains(named->played, track) ? nullptr : &*named;
  }
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    if (e.ts_ms > it->event_ts_ms && Contains(it->track_ids, track) && !Contains(it->played, track)) return &*it;
  }
  return nullptr;
}

// Starts an attributed play of `track` at `ts_ms` when it belongs to a pending impression.
bool StartPlay(const Event& e, std::string_view track, ListenerFeedback* state) {
  PendingImpression* impression = FindImpression(e, track, state);
  if (!impression) return false;
  impression->played.emplace_back(track);
  state->play = AttributedPlay{impression->rec_id, std::string(track), impression->pushed, impression->event_ts_ms,
                               0, e.ts_ms, e.ts_ms};
  return true;
}

// Drops the impressions whose window closed before `now_ms`; those without any outcome are ignored.
bool ExpireImpressions(const AttributionOptions& options, std::string_view user_id, int64_t now_ms,
                       ListenerFeedback* state, std::vector<Outcome>* out) {
  const size_t before = state->pending.size();
  std::erase_if(state->pending, [&](const PendingImpression& p) {
    const int64_t end_ms = p.event_ts_ms + options.window_ms;
    if (end_ms >= now_ms) return false;
    if (p.played.empty() && !p.searched && !p.exited) {
      out->push_back(Outcome{p.rec_id, std::string(user_id), "", OutcomeKind::kIgnored, p.pushed, p.event_ts_ms,
                             end_ms, 0, 0});
    }
    return true;
  });
  return state->pending.size() != before;
}

// A search or exit: one outcome per impression none of whose tracks was played yet.
bool NoteLeaving(const Event& e, uint64_t seq, OutcomeKind kind, ListenerFeedback* state, std::vector<Outcome>* out) {
  bool changed = false;
  for (PendingImpression& p : state->pending) {
    bool& given = kind == OutcomeKind::kSearch ? p.searched : p.exited;
    if (e.ts_ms <= p.event_ts_ms || !p.played.empty() || given) continue;
    given = true;
    changed = true;
    out->push_back(Outcome{p.rec_id, e.user_id, "", kind, p.pushed, p.event_ts_ms, e.ts_ms, 0, seq});
  }
  return changed;
}

// What the event does to the attributed play, if any: ends it, pauses or resumes it.
bool ApplyToPlay(const Event& e, uint64_t seq, ListenerFeedback* state, std::vector<Outcome>* out) {
  if (!state->play) return false;
  AttributedPlay& p = *state->play;
  switch (e.type) {
    case EventType::kPlay:
    case EventType::kExit:
      EndPlay(e.user_id, e.ts_ms, false, seq, state, out);
      return true;
    case EventType::kSkip:
    case EventType::kComplete: {
      const bool same = e.track_id.empty() || e.track_id == p.track_id;
      EndPlay(e.user_id, e.ts_ms, same && e.type == EventType::kComplete, seq, state, out);
      return true;
    }
    case EventType::kPause:
      if (p.counting_since < 0) break;
      p.played_ms += std::max<int64_t>(0, e.ts_ms - p.counting_since);
      p.counting_since = -1;
      break;
    case EventType::kResume:
      if (p.counting_since >= 0) break;
      p.counting_since = e.ts_ms;
      break;
    default:
      break;
  }
  p.last_event_ms = std::max(p.last_event_ms, e.ts_ms);
  return true;
}

// A skip/complete naming a track that was not playing: a play that started and ended at the event, its
// played time the event's position (the session tracker's rule).
bool ApplyInstantPlay(const Event& e, uint64_t seq, ListenerFeedback* state, std::vector<Outcome>* out) {
  if (!StartPlay(e, e.track_id, state)) return false;
  state->play->played_ms = std::max<int64_t>(0, e.position_ms);
  state->play->counting_since = -1;
  EndPlay(e.user_id, e.ts_ms, e.type == EventType::kComplete, seq, state, out);
  return true;
}

}  // namespace

size_t AddImpression(const AttributionOptions& options, PendingImpression impression, ListenerFeedback* state) {
  for (const PendingImpression& p : state->pending) {
    if (p.rec_id == impression.rec_id) return 0;
  }
  size_t dropped = 0;
  if (state->pending.size() >= std::max<size_t>(1, options.max_pending_per_listener)) {
    state->pending.erase(state->pending.begin());
    dropped = 1;
  }
  state->pending.push_back(std::move(impression));
  return dropped;
}

bool ApplyEvent(const AttributionOptions& options, const Event& e, uint64_t seq, ListenerFeedback* state,
                std::vector<Outcome>* out) {
  if (seq != 0 && seq <= state->seq) return false;
  bool changed = false;
  // A play whose listener fell silent for a session timeout ended with that session (timed out).
  if (state->play && e.ts_ms - state->play->last_event_ms > options.session_timeout_ms) {
    EndPlay(e.user_id, state->play->last_event_ms, false, seq, state, out);
    changed = true;
  }
  const std::string_view current = state->play ? std::string_view(state->play->track_id) : std::string_view();
  const bool other_track_ended = (e.type == EventType::kSkip || e.type == EventType::kComplete) &&
                                 !e.track_id.empty() && e.track_id != current;
  changed |= ApplyToPlay(e, seq, state, out);
  changed |= ExpireImpressions(options, e.user_id, e.ts_ms, state, out);
  if (e.type == EventType::kPlay) changed |= StartPlay(e, e.track_id, state);
  if (other_track_ended) changed |= ApplyInstantPlay(e, seq, state, out);
  if (e.type == EventType::kSearch) changed |= NoteLeaving(e, seq, OutcomeKind::kSearch, state, out);
  if (e.type == EventType::kExit) changed |= NoteLeaving(e, seq, OutcomeKind::kExit, state, out);
  if (changed) state->seq = std::max(state->seq, seq);
  return changed;
}

bool Expire(const AttributionOptions& options, std::string_view user_id, int64_t watermark_ms,
            ListenerFeedback* state, std::vector<Outcome>* out) {
  bool changed = false;
  if (state->play && watermark_ms - state->play->last_event_ms > options.session_timeout_ms) {
    EndPlay(user_id, state->play->last_event_ms, false, 0, state, out);
    changed = true;
  }
  return ExpireImpressions(options, user_id, watermark_ms, state, out) || changed;
}

}  // namespace segue::feedback
