#include "recommend/ranker_features.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace segue::recommend {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();
constexpr double kHourMs = 3'600'000.0;

struct Counts {
  uint32_t plays = 0;
  uint32_t skips = 0;
};

float Rate(uint32_t part, uint32_t whole) {
  return whole > 0 ? static_cast<float>(part) / static_cast<float>(whole) : kMissing;
}
float Log1p(double v) { return static_cast<float>(std::log1p(std::max(0.0, v))); }

// What the features need from the query, gathered once per request (not per candidate).
struct QueryContext {
  std::unordered_map<uint32_t, const HistoryEntry*> history;  // track → entry
  std::unordered_map<uint32_t, Counts> artist_history;         // artist → plays, skips
  std::unordered_map<uint32_t, uint32_t> session_tracks;       // track → plays this session
  std::unordered_map<uint32_t, uint32_t> session_artists;      // artist → plays this session
  std::array<uint32_t, kGenreBuckets> session_genres{};
  uint32_t session_genre_known = 0;
  uint32_t session_plays = 0;
  uint32_t last_artist = 0;
  float session_skip_rate = kMissing;
  float last_play_skipped = kMissing;
};

void AddHistory(const Catalog& catalog, const ListenerHistory& history, QueryContext* c) {
  c->history.reserve(history.tracks.size());
  for (const HistoryEntry& e : history.tracks) {
    c->history.emplace(e.track, &e);
    const uint32_t artist = catalog.Meta(e.track).artist;
    if (artist == 0) continue;
    Counts& a = c->artist_history[artist];
    a.plays += e.plays;
    a.skips += e.skips;
  }
}

void AddSession(const Catalog& catalog, const SessionState& session, QueryContext* c) {
  uint32_t ended = 0, skipped = 0;
  for (const PlayRecord& p : session.plays) {
    const TrackMeta meta = catalog.Meta(p.track);
    ++c->session_tracks[p.track];
    if (meta.artist != 0) ++c->session_artists[meta.artist];
    if (meta.genre != 0 && meta.genre < kGenreBuckets) ++c->session_genres[meta.genre], ++c->session_genre_known;
    c->last_artist = meta.artist;
    if (p.end == PlayEnd::kOngoing) continue;
    ++ended;
    skipped += p.skipped() ? 1 : 0;
    c->last_play_skipped = p.skipped() ? 1.f : 0.f;
  }
  c->session_plays = static_cast<uint32_t>(session.plays.size());
  c->session_skip_rate = Rate(skipped, ended);
}

QueryContext ContextOf(const Catalog& catalog, const RetrievalQuery& query) {
  QueryContext c;
  if (query.history) AddHistory(catalog, *query.history, &c);
  if (query.session) AddSession(catalog, *query.session, &c);
  return c;
}

template <typename Map>
auto CountIn(const Map& map, uint32_t key) {
  auto it = map.find(key);
  return it == map.end() ? typename Map::mapped_type{} : it->second;
}

// The features that do not depend on the listener's history of this very track.
void FillRow(const QueryContext& c, const TrackMeta& meta, float score01, size_t rank, float* row) {
  row[kRfRetrieverScore] = score01;
  row[kRfRetrieverRank] = Log1p(static_cast<double>(rank));
  row[kRfTrackPlays] = 0;
  row[kRfTrackSkipRate] = row[kRfTrackEngagedRate] = row[kRfHoursSinceLastPlay] = kMissing;
  const Counts artist = meta.artist != 0 ? CountIn(c.artist_history, meta.artist) : Counts{};
  row[kRfArtistPlays] = Log1p(artist.plays);
  row[kRfArtistSkipRate] = Rate(artist.skips, artist.plays);
  row[kRfSameArtistAsLast] = meta.artist != 0 && meta.artist == c.last_artist ? 1.f : 0.f;
  row[kRfSessionArtistShare] =
      meta.artist != 0 && c.session_plays > 0
          ? static_cast<float>(CountIn(c.session_artists, meta.artist)) / static_cast<float>(c.session_plays)
          : 0.f;
  row[kRfSessionGenreShare] = meta.genre != 0 && meta.genre < kGenreBuckets
                                  ? Rate(c.session_genres[meta.genre], c.session_genre_known)
                                  : kMissing;
  row[kRfPopularity] = meta.known ? static_cast<float>(meta.popularity) / 100.f : kMissing;
  row[kRfSessionSkipRate] = c.session_skip_rate;
  row[kRfSessionPlays] = Log1p(c.session_plays);
  row[kRfLastPlaySkipped] = c.last_play_skipped;
}

// The listener's history of this track (missing values stay as FillRow set them when never played).
void FillHistory(const QueryContext& c, const RetrievalQuery& query, uint32_t track, float* row) {
  row[kRfSessionTrackPlays] = static_cast<float>(CountIn(c.session_tracks, track));
  auto it = c.history.find(track);
  if (it == c.history.end()) return;
  const HistoryEntry& e = *it->second;
  row[kRfTrackPlays] = Log1p(e.plays);
  row[kRfTrackSkipRate] = Rate(e.skips, e.plays);
  row[kRfTrackEngagedRate] = Rate(e.engaged, e.plays);
  row[kRfHoursSinceLastPlay] = Log1p(static_cast<double>(query.now_ms - e.last_ms) / kHourMs);
}

}  // namespace

void RankerFeatures(const Catalog& catalog, const RetrievalQuery& query, std::span<const Candidate> candidates,
                    std::vector<float>* out) {
  out->assign(candidates.size() * kRankerFeatureCount, 0.f);
  if (candidates.empty()) return;
  const QueryContext context = ContextOf(catalog, query);
  float lo = candidates.front().score, hi = lo;
  for (const Candidate& c : candidates) lo = std::min(lo, c.score), hi = std::max(hi, c.score);
  const float span = hi - lo;
  for (size_t i = 0; i < candidates.size(); ++i) {
    float* row = out->data() + i * kRankerFeatureCount;
    const float score01 = span > 0 ? (candidates[i].score - lo) / span : 1.f;
    FillRow(context, catalog.Meta(candidates[i].track), score01, i, row);
    FillHistory(context, query, candidates[i].track, row);
  }
}

}  // namespace segue::recommend
