#include "models/labels.h"

#include <algorithm>
#include <string>

namespace segue {
namespace {

struct PlaySpan {
  size_t start = 0;        // timeline index of the `play` event
  long skip = -1;          // timeline index of the skip that ended it, -1 if not skipped
  uint32_t session = 0;
  int32_t in_session = 0;  // 0-based index within the session
};

// One pass over the timeline: sessions and plays, per the definitions in labels.h.
struct Segmentation {
  std::vector<uint32_t> session_of;     // per event
  std::vector<size_t> session_last;     // per session: index of its last event
  std::vector<bool> session_exit;       // per session: ended by an `exit` event (else timed out)
  std::vector<PlaySpan> plays;          // timeline order
  std::vector<int32_t> ended_play;      // per event: global play index it ended, -1 if none
  std::vector<bool> decision;           // per event
};

Segmentation Segment(const std::vector<TimelineEvent>& t, const LabelConfig& config) {
  Segmentation seg;
  const size_t n = t.size();
  seg.session_of.resize(n);
  seg.ended_play.assign(n, -1);
  seg.decision.assign(n, false);
  long ongoing = -1;  // global index of the ongoing play
  int32_t plays_in_session = 0;
  for (size_t i = 0; i < n; ++i) {
    const bool new_session = i == 0 || seg.session_exit.back() ||
                             t[i].ts_ms - t[i - 1].ts_ms > config.session_timeout_ms;
    if (new_session) {
      seg.session_last.push_back(i);
      seg.session_exit.push_back(false);
      ongoing = -1;
      plays_in_session = 0;
    }
    const uint32_t session = static_cast<uint32_t>(seg.session_last.size() - 1);
    seg.session_of[i] = session;
    seg.session_last.back() = i;
    seg.decision[i] = IsDecisionEvent(t[i].type, ongoing >= 0);
    switch (t[i].type) {
      case EventType::kPlay:
        if (ongoing >= 0) seg.ended_play[i] = static_cast<int32_t>(ongoing);
        ongoing = static_cast<long>(seg.plays.size());
        seg.plays.push_back({i, -1, session, plays_in_session++});
        break;
      case EventType::kSkip:
      case EventType::kComplete:
        if (ongoing >= 0) {
          seg.ended_play[i] = static_cast<int32_t>(ongoing);
          if (t[i].type == EventType::kSkip) seg.plays[ongoing].skip = static_cast<long>(i);
          ongoing = -1;
        }
        break;
      case EventType::kExit:
        seg.session_exit.back() = true;
        ongoing = -1;
        break;
      default:
        break;
    }
  }
  return seg;
}

}  // namespace

bool IsDecisionEvent(EventType type, bool play_ongoing) {
  switch (type) {
    case EventType::kComplete:
    case EventType::kSkip:
    case EventType::kPause:
    case EventType::kSeek:
    case EventType::kPlay:
      return play_ongoing;
    default:
      return false;
  }
}

Status ValidateLabelConfig(const LabelConfig& c) {
  if (c.horizon_ms <= 0) return Status::InvalidArgument("horizon: must be positive, got " + std::to_string(c.horizon_ms) + " ms");
  if (c.burst_window < 1) return Status::InvalidArgument("burst_window: must be at least 1");
  if (c.burst_skips < 1 || c.burst_skips > c.burst_window) {
    return Status::InvalidArgument("burst_skips: must be between 1 and burst_window (" +
                                   std::to_string(c.burst_window) + "), got " + std::to_string(c.burst_skips));
  }
  if (c.session_timeout_ms <= 0) return Status::InvalidArgument("session_timeout: must be positive");
  return Status::Ok();
}

std::vector<DecisionLabel> BuildLabels(const std::vector<TimelineEvent>& t, const LabelConfig& config) {
  const Segmentation seg = Segment(t, config);
  const size_t n = t.size();
  // next_search[i]: the first search at or after i in the same session (n if none).
  std::vector<size_t> next_search(n + 1, n);
  for (size_t i = n; i-- > 0;) {
    const bool same_session = i + 1 < n && seg.session_of[i + 1] == seg.session_of[i];
    next_search[i] = t[i].type == EventType::kSearch ? i : (same_session ? next_search[i + 1] : n);
  }

  std::vector<DecisionLabel> out;
  size_t next_play = 0;  // first play starting after the current decision
  for (size_t i = 0; i < n; ++i) {
    if (!seg.decision[i]) continue;
    while (next_play < seg.plays.size() && seg.plays[next_play].start < i) ++next_play;
    const int64_t deadline = t[i].ts_ms + config.horizon_ms;
    const uint32_t s = seg.session_of[i];
    DecisionLabel label;
    label.event_index = i;
    label.session = s;

    const size_t last = seg.session_last[s];
    if (t[last].ts_ms <= deadline) {
      label.reasons |= seg.session_exit[s] ? kReasonExit : kReasonTimeout;
    }
    if (i + 1 < n) {
      const size_t j = next_search[i + 1];
      if (j < n && seg.session_of[j] == s && t[j].ts_ms <= deadline) label.reasons |= kReasonSearch;
    }
    int skips = 0;
    for (size_t p = next_play; p < seg.plays.size() && p < next_play + config.burst_window; ++p) {
      const PlaySpan& play = seg.plays[p];
      if (play.session != s) break;
      if (play.skip < 0) continue;
      if (++skips == config.burst_skips) {
        if (t[play.skip].ts_ms <= deadline) label.reasons |= kReasonSkipBurst;
        break;
      }
    }
    label.positive = label.reasons != 0;

    if (seg.ended_play[i] >= 0) {
      const PlaySpan& ended = seg.plays[seg.ended_play[i]];
      label.ended_play = ended.in_session;
      const size_t after = static_cast<size_t>(seg.ended_play[i]) + 1;
      if (after < seg.plays.size() && seg.plays[after].session == s) {
        label.next_play_skipped = seg.plays[after].skip >= 0 ? 1 : 0;
      }
    }
    out.push_back(label);
  }
  return out;
}

std::vector<SessionSpan> SessionSpans(const std::vector<TimelineEvent>& t, const LabelConfig& config) {
  const Segmentation seg = Segment(t, config);
  std::vector<SessionSpan> out(seg.session_last.size());
  for (size_t s = 0; s < out.size(); ++s) {
    out[s].first = s == 0 ? 0 : seg.session_last[s - 1] + 1;
    out[s].last = seg.session_last[s];
    out[s].exited = seg.session_exit[s];
  }
  return out;
}

std::vector<std::vector<uint8_t>> SessionPlaySkips(const std::vector<TimelineEvent>& t, const LabelConfig& config) {
  const Segmentation seg = Segment(t, config);
  std::vector<std::vector<uint8_t>> out(seg.session_last.size());
  for (const PlaySpan& play : seg.plays) out[play.session].push_back(play.skip >= 0 ? 1 : 0);
  return out;
}

}  // namespace segue
