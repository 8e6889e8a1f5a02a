// The re-ranker's listener × track features: ONE function, RankerFeatures, computes them for training
// (`segue train ranker`, ranker_training.h) and serving (XgboostRanker), from what a Ranker is given:
// the RetrievalQuery (session, bounded listener history, now) and the retriever's candidate list.
// Everything is cheap and available online; no feature looks past query.now_ms.
//
// Layout: kRankerFeatureCount floats per candidate, row-major, in the candidates' order. NaN marks a
// missing value (XGBoost's "missing"), e.g. the skip rate of a track the listener never played. Bump
// kRankerFeatureVersion whenever the meaning or layout of any feature changes: ranker bundles record it
// and loading refuses another (ranker_bundle.h).
// Thread-safety: pure function of its inputs; the Catalog is read under its own lock.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "recommend/retriever.h"

namespace segue::recommend {

inline constexpr uint32_t kRankerFeatureVersion = 1;

enum RankerFeature : int {
  kRfRetrieverScore = 0,  // the retriever's score, min-max normalised within the list to [0, 1]
  kRfRetrieverRank,       // log(1 + position in the retriever's list)
  kRfTrackPlays,          // log(1 + the listener's plays of the track, history)
  kRfTrackSkipRate,       // skips / plays of the track; NaN when never played
  kRfTrackEngagedRate,    // engaged plays / plays of the track; NaN when never played
  kRfHoursSinceLastPlay,  // log(1 + hours since the listener last played it); NaN when never
  kRfArtistPlays,         // log(1 + the listener's plays of the track's artist, history); 0 unknown artist
  kRfArtistSkipRate,      // skips / plays of the artist; NaN when none or unknown
  kRfSessionTrackPlays,   // plays of the track in the current session
  kRfSameArtistAsLast,    // 1 if the artist is known and is the artist of the session's last play
  kRfSessionArtistShare,  // share of the session's plays by the track's artist (0 unknown artist)
  kRfSessionGenreShare,   // share of the session's genre-known plays in the track's genre; NaN unknown
  kRfPopularity,          // catalog popularity / 100; NaN when the catalog does not know the track
  kRfSessionSkipRate,     // context: skips / ended plays of the session; NaN when none ended
  kRfSessionPlays,        // context: log(1 + plays of the session)
  kRfLastPlaySkipped,     // context: 1 if the session's last ended play was skipped; NaN when none
  kRankerFeatureCount
};

// Names in layout order, recorded in the bundle's config.json.
inline constexpr std::array<std::string_view, kRankerFeatureCount> kRankerFeatureNames = {
    "retriever_score",   "retriever_rank",       "track_plays",        "track_skip_rate",
    "track_engaged_rate", "hours_since_last_play", "artist_plays",      "artist_skip_rate",
    "session_track_plays", "same_artist_as_last", "session_artist_share", "session_genre_share",
    "popularity",        "session_skip_rate",    "session_plays",      "last_play_skipped"};

// Fills `out` (resized to candidates.size() × kRankerFeatureCount).
void RankerFeatures(const Catalog& catalog, const RetrievalQuery& query, std::span<const Candidate> candidates,
                    std::vector<float>* out);

}  // namespace segue::recommend
