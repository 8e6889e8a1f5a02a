#include "recommend/history_builder.h"

#include <algorithm>

#include "features/engagement.h"

namespace segue::recommend {
namespace {

int64_t Value(const HistoryEntry& e) { return e.last_ms + static_cast<int64_t>(e.engaged) * kEngagedPlayWorthMs; }

// Drops the least valuable eighth (at least one entry) of a full history.
void Shrink(size_t max_tracks, ListenerHistory* history) {
  std::vector<HistoryEntry>& t = history->tracks;
  const size_t drop = std::max<size_t>(1, max_tracks / 8);
  const size_t keep = t.size() > drop ? t.size() - drop : 0;
  std::nth_element(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(keep), t.end(),
                   [](const HistoryEntry& a, const HistoryEntry& b) { return Value(a) > Value(b); });
  t.resize(keep);
}

}  // namespace

void AddPlayToHistory(const PlayRecord& play, int64_t start_ms, size_t max_tracks, ListenerHistory* history) {
  if (play.track == 0 || max_tracks == 0) return;
  std::vector<HistoryEntry>& t = history->tracks;
  auto it = std::find_if(t.begin(), t.end(), [&](const HistoryEntry& e) { return e.track == play.track; });
  if (it == t.end()) {
    if (t.size() >= max_tracks) Shrink(max_tracks, history);
    t.push_back(HistoryEntry{.track = play.track});
    it = t.end() - 1;
  }
  ++it->plays;
  it->engaged += IsEngagedPlay(play) ? 1 : 0;
  it->skips += play.skipped() ? 1 : 0;
  it->last_ms = std::max(it->last_ms, start_ms);
}

const PlayRecord* EndedPlay(const SessionState& after, const ApplyOutcome& outcome) {
  if (!outcome.play_ended) return nullptr;
  // The ended play is the newest finished one of that track: the last play, or the one before a play
  // this event started.
  for (auto it = after.plays.rbegin(); it != after.plays.rend(); ++it) {
    if (it->end != PlayEnd::kOngoing && it->track == outcome.ended_track) return &*it;
  }
  return nullptr;
}

ListenerHistory BuildListenerHistory(std::span<const Event> events, Catalog* catalog, size_t max_tracks,
                                     const SessionTrackerOptions& tracker_options) {
  ListenerHistory history;
  SessionTracker tracker(catalog, tracker_options);
  for (const Event& e : events) {
    const ApplyOutcome outcome = tracker.Apply(e);
    if (!outcome.play_ended) continue;
    tracker.Visit(e.user_id, [&](const SessionState& s) {
      if (const PlayRecord* p = EndedPlay(s, outcome)) AddPlayToHistory(*p, PlayStartMs(s, *p), max_tracks, &history);
    });
  }
  return history;
}

}  // namespace segue::recommend
