#include "session/session_tracker.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/hash.h"

namespace segue {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Event-time differences are clamped: late events (within the tolerance) must never make dwell, gaps or
// offsets negative, and a uint32 of milliseconds holds 49 days.
uint32_t ClampMs(int64_t from, int64_t to) {
  if (to <= from) return 0;
  const int64_t d = to - from;
  return d > int64_t{UINT32_MAX} ? UINT32_MAX : static_cast<uint32_t>(d);
}

uint8_t SaturatingInc(uint8_t v) { return v == UINT8_MAX ? v : static_cast<uint8_t>(v + 1); }

// The per-listener state machine. Pure functions of (state, event, catalog): no clock, no locks.
class Machine {
 public:
  Machine(Catalog& catalog, const SessionTrackerOptions& options) : catalog_(catalog), options_(options) {}

  void StartSession(SessionState& s, int64_t ts) const {
    s.session_number = s.profile.sessions + 1;
    s.start_ms = ts;
    s.last_event_ms = ts;
    s.play_state = PlayState::kIdle;
    s.ended = false;
    s.search_pending = false;
    s.position_ms = 0;
    s.current_started_ms = ts;
    s.last_play_end_ms = ts;
    s.counters = SessionCounters{};
    s.plays.clear();  // keeps the capacity: a returning listener does not reallocate
  }

  // Ends the current play, if any, at event time `ts`. Returns the ended record or nullptr.
  const PlayRecord* EndPlay(SessionState& s, PlayEnd how, int64_t ts) const {
    if (s.plays.empty() || s.plays.back().end != PlayEnd::kOngoing) return nullptr;
    PlayRecord& p = s.plays.back();
    if (s.play_state == PlayState::kPlaying) AddDwell(p, ClampMs(s.current_started_ms, ts));
    p.end = how;
    s.play_state = PlayState::kIdle;
    s.last_play_end_ms = std::max(s.last_play_end_ms, ts);
    if (how == PlayEnd::kSkipped) {
      ++s.counters.skips;
      ++s.counters.consecutive_skips;
    } else if (how == PlayEnd::kCompleted) {
      ++s.counters.completes;
      s.counters.consecutive_skips = 0;
    }
    return &p;
  }

  void StartPlay(SessionState& s, uint32_t track, const Event& e, int64_t ts) const {
    PlayRecord r;
    r.track = track;
    r.duration_ms = catalog_.Meta(track).duration_ms;
    r.start_offset_ms = ClampMs(s.start_ms, ts);
    r.gap_ms = s.plays.empty() ? 0 : ClampMs(s.last_play_end_ms, ts);
    if (!e.context.rec_id.empty()) r.flags |= kPlayFromRecommendation;
    if (e.context.shuffle.value_or(false)) r.flags |= kPlayShuffle;
    if (e.context.shuffle.has_value() || !e.context.device.empty() || !e.context.source.empty()) {
      r.flags |= kPlayContextReported;
    }
    if (s.search_pending) r.flags |= kPlayAfterSearch;
    if (s.plays.size() >= options_.max_plays) s.plays.erase(s.plays.begin());
    s.plays.push_back(r);
    ++s.counters.plays;
    s.search_pending = false;
    s.play_state = PlayState::kPlaying;
    s.current_started_ms = ts;
    s.position_ms = e.position_ms >= 0 ? static_cast<uint32_t>(std::min<int64_t>(e.position_ms, UINT32_MAX)) : 0;
  }

  // Folds a finished session into the long-term profile (docs/sessions.md, "User profile").
  void EndSession(SessionState& s) const {
    if (!s.plays.empty() && s.plays.back().end == PlayEnd::kOngoing) {
      // Timed out or evicted: dwell is credited up to the last event we saw, nothing is guessed beyond.
      EndPlay(s, PlayEnd::kTimedOut, s.last_event_ms);
    }
    UserProfile& p = s.profile;
    const uint64_t old_plays = p.plays;
    p.sessions += 1;
    p.plays += s.counters.plays;
    p.skips += s.counters.skips;
    const float n = static_cast<float>(p.sessions);
    p.mean_session_plays += (static_cast<float>(s.counters.plays) - p.mean_session_plays) / n;
    const float minutes = static_cast<float>(ClampMs(s.start_ms, s.last_event_ms)) / 60000.f;
    p.mean_session_minutes += (minutes - p.mean_session_minutes) / n;
    p.last_session_end_ms = s.last_event_ms;
    if (s.plays.empty()) return;

    std::array<uint32_t, kGenreBuckets> genre_plays{};
    struct Candidate {
      uint32_t artist, plays, track;
    };
    std::vector<Candidate> cand;
    cand.reserve(p.top_artists.size() + s.plays.size());
    for (size_t i = 0; i < p.top_artists.size(); ++i) {
      if (p.top_artists[i] != 0) cand.push_back({p.top_artists[i], p.top_artist_plays[i], p.top_artist_track[i]});
    }
    for (const PlayRecord& r : s.plays) {
      const TrackMeta m = catalog_.Meta(r.track);
      ++genre_plays[m.genre < kGenreBuckets ? m.genre : 0];
      if (m.artist == 0) continue;
      auto it = std::find_if(cand.begin(), cand.end(), [&](const Candidate& c) { return c.artist == m.artist; });
      if (it == cand.end()) {
        cand.push_back({m.artist, 1, r.track});
      } else {
        ++it->plays;
      }
    }
    // Stable: ties keep the earlier candidate (old top artists first, then first played), so the result
    // does not depend on process-local interned ids.
    std::stable_sort(cand.begin(), cand.end(), [](const Candidate& a, const Candidate& b) { return a.plays > b.plays; });
    p.top_artists = {};
    p.top_artist_plays = {};
    p.top_artist_track = {};
    for (size_t i = 0; i < cand.size() && i < p.top_artists.size(); ++i) {
      p.top_artists[i] = cand[i].artist;
      p.top_artist_plays[i] = cand[i].plays;
      p.top_artist_track[i] = cand[i].track;
    }
    // Running share weighted by plays; only the kept ring of plays is inspected (exact up to max_plays).
    const double old_w = static_cast<double>(old_plays);
    const double new_w = static_cast<double>(s.plays.size());
    for (int g = 0; g < kGenreBuckets; ++g) {
      p.genre_share[g] =
          static_cast<float>((p.genre_share[g] * old_w + genre_plays[g]) / (old_w + new_w));
    }
  }

  // The event for a valid, non-late, non-duplicate apply. The session is open (StartSession ran).
  void ApplyEvent(SessionState& s, const Event& e, int64_t ts, ApplyOutcome& out) const {
    auto ended = [&](const PlayRecord* p) {
      if (p == nullptr) return;
      out.play_ended = true;
      out.how = p->end;
      out.ended_track = p->track;
    };
    PlayRecord* cur = s.plays.empty() || s.plays.back().end != PlayEnd::kOngoing ? nullptr : &s.plays.back();
    out.play_was_ongoing = cur != nullptr;
    if (e.position_ms >= 0) s.position_ms = static_cast<uint32_t>(std::min<int64_t>(e.position_ms, UINT32_MAX));
    switch (e.type) {
      case EventType::kPlay: {
        ended(EndPlay(s, PlayEnd::kReplaced, ts));
        StartPlay(s, catalog_.InternTrack(e.track_id), e, ts);
        break;
      }
      case EventType::kPause:
        ++s.counters.pauses;
        if (cur != nullptr) {
          cur->pauses = SaturatingInc(cur->pauses);
          if (s.play_state == PlayState::kPlaying) {
            AddDwell(*cur, ClampMs(s.current_started_ms, ts));
            s.play_state = PlayState::kPaused;
          }
        }
        break;
      case EventType::kResume:
        if (cur != nullptr && s.play_state == PlayState::kPaused) {
          s.play_state = PlayState::kPlaying;
          s.current_started_ms = ts;
        }
        break;
      case EventType::kSeek:
        ++s.counters.seeks;
        if (cur != nullptr && catalog_.FindTrack(e.track_id) == cur->track) cur->seeks = SaturatingInc(cur->seeks);
        break;
      case EventType::kSkip:
      case EventType::kComplete: {
        const PlayEnd how = e.type == EventType::kSkip ? PlayEnd::kSkipped : PlayEnd::kCompleted;
        const uint32_t track = catalog_.InternTrack(e.track_id);
        // A second end for the play that just ended (a client repeating itself): nothing more ended.
        if (cur == nullptr && !s.plays.empty() && s.plays.back().track == track) break;
        if (cur == nullptr || cur->track != track) {
          // The client never reported this play (or reported it lost): the current one was replaced by
          // it, and it is recorded with the position it reached as its dwell.
          ended(EndPlay(s, PlayEnd::kReplaced, ts));
          StartPlay(s, track, e, ts);
          AddDwell(s.plays.back(), s.position_ms);
        }
        ended(EndPlay(s, how, ts));
        break;
      }
      case EventType::kSearch:
        ++s.counters.searches;
        s.search_pending = true;
        break;
      case EventType::kLike:
      case EventType::kDislike: {
        const bool like = e.type == EventType::kLike;
        ++(like ? s.counters.likes : s.counters.dislikes);
        const uint32_t track = catalog_.FindTrack(e.track_id);
        if (track == 0) break;
        // The newest play of that track in the ring (the current one when it matches).
        for (auto it = s.plays.rbegin(); it != s.plays.rend(); ++it) {
          if (it->track != track) continue;
          it->flags |= like ? kPlayLiked : kPlayDisliked;
          it->flags &= static_cast<uint8_t>(~(like ? kPlayDisliked : kPlayLiked));
          break;
        }
        break;
      }
      case EventType::kExit:
        ended(EndPlay(s, PlayEnd::kExited, ts));
        s.ended = true;
        EndSession(s);
        out.session_ended = true;
        break;
    }
  }

 private:
  static void AddDwell(PlayRecord& p, uint32_t ms) {
    p.dwell_ms = p.dwell_ms > UINT32_MAX - ms ? UINT32_MAX : p.dwell_ms + ms;
  }

  Catalog& catalog_;
  const SessionTrackerOptions& options_;
};

void AtomicMax(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

// The age (as returned by `age_of`) at or below which the `drop` oldest entries of `map` lie.
template <typename Map, typename AgeOf>
int64_t AgeCutoff(const Map& map, size_t drop, AgeOf age_of) {
  std::vector<int64_t> ages;
  ages.reserve(map.size());
  for (const auto& [key, value] : map) ages.push_back(age_of(value));
  std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(drop - 1), ages.end());
  return ages[drop - 1];
}

}  // namespace

struct SessionTracker::Shard {
  mutable std::mutex mu;
  StringMap<SessionState> sessions;
  StringMap<UserProfile> profiles;  // listeners whose session is not in memory
};

struct SessionTracker::Counters {
  std::atomic<uint64_t> events_applied{0}, late_events{0}, duplicate_events{0}, sessions_started{0},
      sessions_ended{0}, evicted_idle{0}, evicted_capacity{0}, profiles_dropped{0};
};

SessionTracker::SessionTracker(Catalog* catalog, SessionTrackerOptions options)
    : catalog_(catalog), options_(options), counters_(std::make_unique<Counters>()) {
  options_.shards = std::max<uint32_t>(options_.shards, 1);
  options_.max_plays = std::max<uint32_t>(options_.max_plays, 1);
  options_.reorder_tolerance_ms = std::max<int64_t>(options_.reorder_tolerance_ms, 0);
  shards_ = std::make_unique<Shard[]>(options_.shards);
  shard_session_cap_ = std::max<size_t>(options_.max_sessions / options_.shards, 1);
  shard_profile_cap_ = std::max<size_t>(options_.max_profiles / options_.shards, 1);
}

SessionTracker::~SessionTracker() = default;

SessionTracker::Shard& SessionTracker::ShardOf(std::string_view user_id) const {
  return shards_[Fnv1a64(user_id) % options_.shards];
}

size_t SessionTracker::Park(Shard& shard, SessionState& s) {
  if (!s.ended) {
    Machine(*catalog_, options_).EndSession(s);
    counters_->sessions_ended.fetch_add(1, std::memory_order_relaxed);
  }
  auto& profiles = shard.profiles;
  const size_t before = profiles.size();
  profiles.insert_or_assign(s.user_id, s.profile);
  size_t dropped = 0;
  if (profiles.size() > shard_profile_cap_) {
    // Full: forget the least recently seen tenth of the table at once (amortised O(1) per insert).
    const size_t drop = std::max<size_t>(profiles.size() / 10, profiles.size() - shard_profile_cap_);
    const int64_t cutoff = AgeCutoff(profiles, drop, [](const UserProfile& p) { return p.last_session_end_ms; });
    for (auto it = profiles.begin(); it != profiles.end() && dropped < drop;) {
      if (it->second.last_session_end_ms <= cutoff) {
        it = profiles.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    counters_->profiles_dropped.fetch_add(dropped, std::memory_order_relaxed);
  }
  if (profiles.size() >= before) {
    profiles_.fetch_add(profiles.size() - before, std::memory_order_relaxed);
  } else {
    profiles_.fetch_sub(before - profiles.size(), std::memory_order_relaxed);
  }
  return dropped;
}

template <typename Pred>
size_t SessionTracker::ParkWhere(Shard& shard, size_t limit, Pred pred) {
  size_t parked = 0;
  for (auto it = shard.sessions.begin(); it != shard.sessions.end() && parked < limit;) {
    if (!pred(it->second)) {
      ++it;
      continue;
    }
    Park(shard, it->second);
    it = shard.sessions.erase(it);
    ++parked;
  }
  active_.fetch_sub(parked, std::memory_order_relaxed);
  return parked;
}

void SessionTracker::EvictOldest(Shard& shard) {
  const size_t drop = std::max<size_t>(shard.sessions.size() / 10, 1);
  const int64_t cutoff = AgeCutoff(shard.sessions, drop, [](const SessionState& s) { return s.last_event_ms; });
  const size_t evicted = ParkWhere(shard, drop, [&](const SessionState& s) { return s.last_event_ms <= cutoff; });
  counters_->evicted_capacity.fetch_add(evicted, std::memory_order_relaxed);
}

ApplyOutcome SessionTracker::Apply(const Event& event, uint64_t seq) {
  ApplyOutcome out;
  const Machine machine(*catalog_, options_);
  const int64_t ts = event.ts_ms;
  Shard& shard = ShardOf(event.user_id);
  std::lock_guard lock(shard.mu);

  auto it = shard.sessions.find(event.user_id);
  if (it == shard.sessions.end()) {
    // Full: end the least recently active sessions of this shard early (their profiles are kept).
    if (shard.sessions.size() >= shard_session_cap_) EvictOldest(shard);
    it = shard.sessions.emplace(event.user_id, SessionState{}).first;
    it->second.user_id = event.user_id;
    if (auto p = shard.profiles.find(event.user_id); p != shard.profiles.end()) {
      it->second.profile = p->second;
      shard.profiles.erase(p);
      profiles_.fetch_sub(1, std::memory_order_relaxed);
    }
    active_.fetch_add(1, std::memory_order_relaxed);
  }
  SessionState& s = it->second;

  if (seq != 0 && seq <= s.last_seq) {
    out.duplicate = true;
    counters_->duplicate_events.fetch_add(1, std::memory_order_relaxed);
    return out;
  }
  if (seq != 0) s.last_seq = seq;
  // An event older than the session's latest one by more than the tolerance is late; so is anything
  // older than the exit that closed the session (it belonged to that session, which is final).
  if (s.session_number != 0 &&
      (ts < s.last_event_ms - options_.reorder_tolerance_ms || (s.ended && ts < s.last_event_ms))) {
    ++s.counters.late_events;
    out.late = true;
    counters_->late_events.fetch_add(1, std::memory_order_relaxed);
    return out;
  }
  const bool open = s.session_number != 0 && !s.ended;
  const bool timed_out = open && ts - s.last_event_ms > options_.session_timeout_ms;
  if (timed_out) {
    machine.EndSession(s);
    out.session_ended = true;
    counters_->sessions_ended.fetch_add(1, std::memory_order_relaxed);
  }
  if (!open || timed_out) {
    machine.StartSession(s, ts);
    out.new_session = true;
    counters_->sessions_started.fetch_add(1, std::memory_order_relaxed);
  }
  s.last_event_ms = std::max(s.last_event_ms, ts);
  machine.ApplyEvent(s, event, ts, out);
  if (event.type == EventType::kExit) counters_->sessions_ended.fetch_add(1, std::memory_order_relaxed);
  out.applied = true;
  counters_->events_applied.fetch_add(1, std::memory_order_relaxed);
  AtomicMax(watermark_, ts);
  return out;
}

size_t SessionTracker::EvictIdle(int64_t now_ms) {
  size_t evicted = 0;
  for (uint32_t i = 0; i < options_.shards; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard lock(shard.mu);
    // The tolerance is added so that an evicted session could not have taken another event anyway.
    evicted += ParkWhere(shard, SIZE_MAX, [&](const SessionState& s) {
      const int64_t idle_limit = options_.reorder_tolerance_ms + (s.ended ? 0 : options_.session_timeout_ms);
      return now_ms - s.last_event_ms > idle_limit;
    });
  }
  counters_->evicted_idle.fetch_add(evicted, std::memory_order_relaxed);
  return evicted;
}

bool SessionTracker::Visit(std::string_view user_id, const std::function<void(const SessionState&)>& fn) const {
  Shard& shard = ShardOf(user_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.sessions.find(user_id);
  if (it == shard.sessions.end()) return false;
  fn(it->second);
  return true;
}

std::optional<SessionState> SessionTracker::Get(std::string_view user_id) const {
  std::optional<SessionState> copy;
  Visit(user_id, [&](const SessionState& s) { copy = s; });
  return copy;
}

std::optional<UserProfile> SessionTracker::GetProfile(std::string_view user_id) const {
  Shard& shard = ShardOf(user_id);
  std::lock_guard lock(shard.mu);
  if (auto it = shard.sessions.find(user_id); it != shard.sessions.end()) return it->second.profile;
  if (auto it = shard.profiles.find(user_id); it != shard.profiles.end()) return it->second;
  return std::nullopt;
}

SessionTrackerStats SessionTracker::stats() const {
  SessionTrackerStats st;
  const Counters& c = *counters_;
  st.events_applied = c.events_applied.load(std::memory_order_relaxed);
  st.late_events = c.late_events.load(std::memory_order_relaxed);
  st.duplicate_events = c.duplicate_events.load(std::memory_order_relaxed);
  st.sessions_started = c.sessions_started.load(std::memory_order_relaxed);
  st.sessions_ended = c.sessions_ended.load(std::memory_order_relaxed);
  st.evicted_idle = c.evicted_idle.load(std::memory_order_relaxed);
  st.evicted_capacity = c.evicted_capacity.load(std::memory_order_relaxed);
  st.profiles_dropped = c.profiles_dropped.load(std::memory_order_relaxed);
  return st;
}

void SessionTracker::ForEachSession(uint32_t shard, const std::function<void(const SessionState&)>& fn) const {
  const Shard& sh = shards_[shard];
  std::lock_guard lock(sh.mu);
  for (const auto& [u, s] : sh.sessions) fn(s);
}

void SessionTracker::ForEachProfile(
    uint32_t shard, const std::function<void(std::string_view user, const UserProfile&)>& fn) const {
  const Shard& sh = shards_[shard];
  std::lock_guard lock(sh.mu);
  for (const auto& [u, p] : sh.profiles) fn(u, p);
}

void SessionTracker::RestoreSession(SessionState state) {
  Shard& shard = ShardOf(state.user_id);
  std::lock_guard lock(shard.mu);
  AtomicMax(watermark_, state.last_event_ms);
  if (state.plays.capacity() > options_.max_plays && state.plays.size() <= options_.max_plays) {
    state.plays.shrink_to_fit();
  }
  std::string key = state.user_id;
  if (shard.profiles.erase(key) != 0) profiles_.fetch_sub(1, std::memory_order_relaxed);
  if (shard.sessions.insert_or_assign(std::move(key), std::move(state)).second) {
    active_.fetch_add(1, std::memory_order_relaxed);
  }
}

void SessionTracker::RestoreProfile(std::string user_id, const UserProfile& profile) {
  Shard& shard = ShardOf(user_id);
  std::lock_guard lock(shard.mu);
  if (shard.sessions.count(user_id) != 0) return;  // the in-memory session carries the profile
  if (shard.profiles.insert_or_assign(std::move(user_id), profile).second) {
    profiles_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace segue
