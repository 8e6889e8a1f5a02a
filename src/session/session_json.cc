#include "session/session_json.h"

#include "catalog/catalog.h"
#include "common/time_util.h"

namespace segue {

std::string_view PlayEndName(PlayEnd end) {
  switch (end) {
    case PlayEnd::kOngoing: return "ongoing";
    case PlayEnd::kCompleted: return "completed";
    case PlayEnd::kSkipped: return "skipped";
    case PlayEnd::kReplaced: return "replaced";
    case PlayEnd::kExited: return "exited";
    case PlayEnd::kTimedOut: return "timed_out";
  }
  return "unknown";
}

std::string_view PlayStateName(PlayState state) {
  switch (state) {
    case PlayState::kIdle: return "idle";
    case PlayState::kPlaying: return "playing";
    case PlayState::kPaused: return "paused";
  }
  return "unknown";
}

nlohmann::json SessionJson(const SessionState& s, const Catalog& catalog) {
  using nlohmann::json;
  json plays = json::array();
  for (const PlayRecord& r : s.plays) {
    plays.push_back({
        {"track_id", catalog.TrackIdOf(r.track)},
        {"started_at", FormatRfc3339Ms(s.start_ms + r.start_offset_ms)},
        {"dwell_ms", r.dwell_ms},
        {"duration_ms", r.duration_ms > 0 ? json(r.duration_ms) : json(nullptr)},
        {"gap_ms", r.gap_ms},
        {"end", PlayEndName(r.end)},
        {"skipped", r.skipped()},
        {"from_recommendation", (r.flags & kPlayFromRecommendation) != 0},
        {"shuffle", (r.flags & kPlayShuffle) != 0},
        {"after_search", (r.flags & kPlayAfterSearch) != 0},
        {"liked", (r.flags & kPlayLiked) != 0},
        {"disliked", (r.flags & kPlayDisliked) != 0},
        {"pauses", r.pauses},
        {"seeks", r.seeks},
    });
  }
  const PlayRecord* cur = s.current();
  const SessionCounters& c = s.counters;
  const UserProfile& p = s.profile;
  return {
      {"user_id", s.user_id},
      {"session_number", s.session_number},
      {"session_start", FormatRfc3339Ms(s.start_ms)},
      {"last_event", FormatRfc3339Ms(s.last_event_ms)},
      {"ended", s.ended},
      {"play_state", PlayStateName(s.play_state)},
      {"current_track", cur != nullptr ? json(catalog.TrackIdOf(cur->track)) : json(nullptr)},
      {"position_ms", s.position_ms},
      {"counters",
       {{"plays", c.plays},
        {"skips", c.skips},
        {"consecutive_skips", c.consecutive_skips},
        {"completes", c.completes},
        {"pauses", c.pauses},
        {"seeks", c.seeks},
        {"searches", c.searches},
        {"likes", c.likes},
        {"dislikes", c.dislikes},
        {"late_events", c.late_events}}},
      {"recent_plays", std::move(plays)},
      {"profile",
       {{"sessions", p.sessions},
        {"plays", p.plays},
        {"skip_rate", p.skip_rate()},
        {"mean_session_plays", p.mean_session_plays},
        {"mean_session_minutes", p.mean_session_minutes}}},
  };
}

std::string SessionToJson(const SessionState& state, const Catalog& catalog) {
  return SessionJson(state, catalog).dump();
}

}  // namespace segue
