#include "models/retrieval_pairs.h"

#include <algorithm>
#include <iostream>
#include <optional>

#include "common/hash.h"
#include "features/engagement.h"
#include "features/session_features.h"
#include "models/dataset.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

constexpr uint32_t kUnknownDurationDwellMs = 180'000;  // a playlist track of unknown length: a typical song
constexpr uint32_t kValidPlaylistModulus = 5;

// A play waiting for its end: the pair it becomes when engaged, and where to find its PlayRecord.
struct PendingPlay {
  RetrievalPair pair;
  uint64_t session_number = 0;
  uint32_t ordinal = 0;  // SessionCounters::plays right after it started
  bool train = true;
  bool recommended_engaged = false;  // the feedback collector judged this play of a recommended track engaged
  size_t recommended_negatives = 0;  // of its hard negatives, skipped recommendations
};

void Keep(RetrievalPair pair, bool train, const RetrievalPairOptions& options, RetrievalPairs* out) {
  if (out->train.size() + out->valid.size() >= options.max_pairs) {
    ++out->over_cap;
    return;
  }
  (train ? out->train : out->valid).push_back(std::move(pair));
}

// The query before a play of `track_id` at `ts_ms`: the current session when the play continues it, else
// an empty session carrying the listener's profile (what the server sees when a session starts).
SessionState StateBeforePlay(const SessionTracker& tracker, const std::string& user, int64_t ts_ms,
                             int64_t session_timeout_ms) {
  std::optional<SessionState> current = tracker.Get(user);
  if (current && !current->ended && ts_ms - current->last_event_ms <= session_timeout_ms) return std::move(*current);
  SessionState fresh;
  fresh.user_id = user;
  if (std::optional<UserProfile> profile = tracker.GetProfile(user)) fresh.profile = *profile;
  fresh.start_ms = fresh.last_event_ms = ts_ms;
  return fresh;
}

// Resolves the pending plays whose PlayRecord has ended in the listener's current session.
void Resolve(const SessionState& state, const RetrievalPairOptions& options, std::vector<PendingPlay>* pending,
             RetrievalPairs* out) {
  auto resolved = [&](PendingPlay& p) {
    const int64_t first_in_ring = static_cast<int64_t>(state.counters.plays) - static_cast<int64_t>(state.plays.size());
    const int64_t index = static_cast<int64_t>(p.ordinal) - 1 - first_in_ring;
    if (p.session_number != state.session_number || index < 0) {
      ++out->unresolved;  // its session ended unseen, or the ring dropped it
      return true;
    }
    const PlayRecord& record = state.plays[static_cast<size_t>(index)];
    if (record.end == PlayEnd::kOngoing) return false;
    if (IsEngagedPlay(record)) {
      ++out->engaged;
      out->recommended_negatives += p.recommended_negatives;
      if (p.recommended_engaged && p.train) {
        ++out->recommended_engaged;
        Keep(p.pair, p.train, options, out);
      }
      Keep(std::move(p.pair), p.train, options, out);
    }
    return true;
  };
  std::erase_if(*pending, resolved);
}

// The session's skipped tracks, most recent first, skipped recommendations (per the feedback) before the
// others; returns how many of them were skipped recommendations.
size_t AddHardNegatives(const SessionState& before, const Catalog& catalog, uint32_t positive,
                        const RecommendationOutcomes* outcomes, SongTable* songs, RetrievalPair* pair) {
  auto recommended = [&](const PlayRecord& play) {
    if (outcomes == nullptr) return false;
    const int64_t start_ms = before.start_ms + play.start_offset_ms;
    return outcomes->Find(before.user_id, catalog.TrackIdOf(play.track), start_ms) == feedback::OutcomeKind::kSkipped;
  };
  size_t n = 0, from_recommendations = 0;
  for (const bool first_pass : {true, false}) {
    for (auto it = before.plays.rbegin(); it != before.plays.rend() && n < pair->hard.size(); ++it) {
      if (!it->skipped() || recommended(*it) != first_pass) continue;
      const uint32_t row = songs->Intern(catalog.TrackIdOf(it->track), catalog);
      if (row == positive) continue;
      pair->hard[n++] = row;
      if (first_pass) ++from_recommendations;
    }
  }
  return from_recommendations;
}

// The session of a playlist's other tracks around `target` (each a completed play, played back to back).
SessionState PlaylistSession(const recommend::PlaylistTracks& playlist, size_t target, const Catalog& catalog) {
  const size_t n = playlist.tracks.size();
  const size_t window = std::min<size_t>(n - 1, kSequenceLength);
  size_t begin = target > window / 2 ? target - window / 2 : 0;
  begin = std::min(begin, n - 1 - window);
  SessionState s;
  s.user_id = playlist.playlist_id;
  s.start_ms = playlist.modified_at_ms;
  uint32_t offset = 0;
  for (size_t i = begin; i < begin + window + 1 && i < n; ++i) {
    if (i == target) continue;
    PlayRecord r;
    r.track = playlist.tracks[i];
    r.duration_ms = catalog.Meta(r.track).duration_ms;
    r.dwell_ms = r.duration_ms > 0 ? r.duration_ms : kUnknownDurationDwellMs;
    r.start_offset_ms = offset;
    r.end = PlayEnd::kCompleted;
    offset += r.dwell_ms;
    s.plays.push_back(r);
  }
  s.counters.plays = s.counters.completes = static_cast<uint32_t>(s.plays.size());
  s.last_event_ms = s.start_ms + offset;
  s.last_play_end_ms = s.last_event_ms;
  return s;
}

}  // namespace

void SongTable::Add(const Track& track) {
  rows_.emplace(track.track_id, static_cast<uint32_t>(ids_.size()));
  ids_.push_back(track.track_id);
  features_.push_back(ComputeSongFeatures(track, reference_ms_));
}

void SongTable::AddCatalog(const Catalog& catalog) {
  catalog.ForEachTrack([this](uint32_t, const Track& track) {
    if (!rows_.contains(track.track_id)) Add(track);
  });
}

uint32_t SongTable::Intern(std::string_view track_id, const Catalog& catalog) {
  if (auto it = rows_.find(std::string(track_id)); it != rows_.end()) return it->second;
  std::optional<Track> track = catalog.Get(track_id);
  if (!track) {
    track.emplace();
    track->track_id = std::string(track_id);
  }
  Add(*track);
  return static_cast<uint32_t>(ids_.size() - 1);
}

Status CollectHistoryPairs(std::vector<Event> events, Catalog* catalog, const RetrievalPairOptions& options,
                           SongTable* songs, RetrievalPairs* out) {
  if (options.max_plays < kSequenceLength) return Status::InvalidArgument("max_plays: below the sequence length");
  PrepareListenerTimelines(&events);
  SessionTrackerOptions tracker_options;
  tracker_options.max_plays = options.max_plays;
  tracker_options.session_timeout_ms = options.session_timeout_ms;
  SessionTracker tracker(catalog, tracker_options);
  std::vector<PendingPlay> pending;
  for (size_t begin = 0; begin < events.size();) {
    size_t end = begin;
    while (end < events.size() && events[end].user_id == events[begin].user_id) ++end;
    const std::string& user = events[begin].user_id;
    const double cutoff = static_cast<double>(events[begin].ts_ms) +
                          options.train_time_fraction * static_cast<double>(events[end - 1].ts_ms - events[begin].ts_ms);
    ++out->listeners;
    for (size_t i = begin; i < end; ++i) {
      const Event& e = events[i];
      const bool play = e.type == EventType::kPlay && !e.track_id.empty();
      PendingPlay p;
      if (play) {
        const SessionState before = StateBeforePlay(tracker, user, e.ts_ms, options.session_timeout_ms);
        ComputeSessionFeatures(before, *catalog, &p.pair.user);
        p.pair.day = DayOfWeekBucket(before.last_event_ms);
        p.pair.song = songs->Intern(e.track_id, *catalog);
        p.recommended_negatives = AddHardNegatives(before, *catalog, p.pair.song, options.outcomes, songs, &p.pair);
        p.train = static_cast<double>(e.ts_ms) < cutoff;
        if (options.outcomes) {
          const std::optional<feedback::OutcomeKind> kind = options.outcomes->Find(user, e.track_id, e.ts_ms);
          p.recommended_engaged = kind && feedback::IsEngaged(*kind);
        }
      }
      tracker.Apply(e);
      tracker.Visit(user, [&](const SessionState& state) {
        // A play the tracker applied is its ongoing last play (a late event may have been dropped).
        if (play && state.current() != nullptr && state.current()->track == catalog->FindTrack(e.track_id)) {
          ++out->plays;
          p.session_number = state.session_number;
          p.ordinal = state.counters.plays;
          pending.push_back(std::move(p));
        }
        Resolve(state, options, &pending, out);
      });
    }
    out->unresolved += pending.size();
    pending.clear();
    if (options.progress && out->listeners % 200 == 0) {
      std::cerr << "\rreplaying: " << out->listeners << " listeners, " << out->engaged << " engaged plays" << std::flush;
    }
    begin = end;
  }
  if (options.progress) std::cerr << "\n";
  return Status::Ok();
}

Status CollectPlaylistPairs(const std::vector<recommend::PlaylistTracks>& playlists, const Catalog& catalog,
                            const RetrievalPairOptions& options, SongTable* songs, RetrievalPairs* out) {
  for (const recommend::PlaylistTracks& playlist : playlists) {
    const size_t n = playlist.tracks.size();
    if (n < 2) continue;
    ++out->playlists;
    const bool train = Fnv1a64(playlist.playlist_id) % kValidPlaylistModulus != 0;
    const size_t targets = std::min(n, options.playlist_targets);
    for (size_t k = 0; k < targets; ++k) {
      const size_t target = k * n / targets;  // spread over the playlist
      const SessionState session = PlaylistSession(playlist, target, catalog);
      RetrievalPair pair;
      ComputeSessionFeatures(session, catalog, &pair.user);
      pair.day = DayOfWeekBucket(session.last_event_ms);
      pair.song = songs->Intern(catalog.TrackIdOf(playlist.tracks[target]), catalog);
      ++out->playlist_pairs;
      Keep(std::move(pair), train, options, out);
    }
  }
  return Status::Ok();
}

}  // namespace segue
