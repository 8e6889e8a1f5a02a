// Training pairs of the two-tower retrieval model (docs/models.md, "Two-tower retrieval model"):
// (what the server knew about the listener right before a play, the track they then engaged with).
//
// Histories: events are replayed per listener through the SAME SessionTracker and feature code as the
// server (PrepareListenerTimelines order). Before each `play`, the query is the features of the listener's
// session as it stands (a new session, when the play starts one: an empty session carrying the
// long-term profile); the pair is kept once that play ends engaged (IsEngagedPlay, features/engagement.h).
// Plays whose end the replay never sees (the last play of a session that times out, of a history that
// stops) are counted as unresolved and not used. Hard negatives: the last kHardNegatives tracks the
// listener skipped earlier in the same session (never the positive itself).
// Split: a pair is validation when its play starts at or after first_ts + train_time_fraction ×
// (last_ts − first_ts) of the listener's events, else training: the split of `segue eval retrieval`
// (recommend/retrieval_eval.h), so a model trained with the same fraction never saw its test plays.
// Playlists: for up to playlist_targets tracks of each playlist, the query is a session of the other
// tracks of the playlist (up to kSequenceLength, nearest in playlist order, each as a completed play) and
// the positive is the track; playlists with Fnv1a64(playlist_id) % 5 == 0 are validation.
//
// Feedback (options.outcomes, models/recommendation_outcomes.h): a play of a recommended track that the
// feedback collector judged engaged (listened, completed) is a training positive counted twice (its pair
// is kept twice; held-out pairs once, so recall still counts each play once), and recommended tracks the listener skipped come first among the hard negatives of the later
// pairs of their session (before other skipped tracks). Without outcomes, every play counts the same.
//
// SongTable: the songs the model knows, by row; rows are the bundle's embedding rows and ANN labels.
// Thread-safety: none (single-threaded training-side code).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "events/event.h"
#include "features/feature_spec.h"
#include "features/song_features.h"
#include "models/recommendation_outcomes.h"
#include "recommend/playlist_file.h"

namespace segue {

inline constexpr int kHardNegatives = 2;
inline constexpr uint32_t kNoSong = std::numeric_limits<uint32_t>::max();

class SongTable {
 public:
  explicit SongTable(int64_t reference_ms) : reference_ms_(reference_ms) {}

  // Adds every catalog track (interned-id order).
  void AddCatalog(const Catalog& catalog);
  // The row of `track_id`, added when new (with the catalog's metadata, or as a bare id).
  uint32_t Intern(std::string_view track_id, const Catalog& catalog);

  size_t size() const { return ids_.size(); }
  const std::vector<std::string>& track_ids() const { return ids_; }
  const std::vector<SongFeatures>& features() const { return features_; }

 private:
  void Add(const Track& track);

  int64_t reference_ms_;
  std::vector<std::string> ids_;
  std::vector<SongFeatures> features_;
  std::unordered_map<std::string, uint32_t> rows_;
};

struct RetrievalPair {
  FeatureVector user;
  uint8_t day = 0;    // DayOfWeekBucket of the query's last event
  uint32_t song = 0;  // SongTable row of the positive
  std::array<uint32_t, kHardNegatives> hard{kNoSong, kNoSong};
};

struct RetrievalPairOptions {
  int64_t session_timeout_ms = 30 * 60 * 1000;
  uint32_t max_plays = 64;  // SessionTrackerOptions::max_plays
  double train_time_fraction = 0.8;
  size_t max_pairs = 200'000;  // training + validation pairs kept in memory (~2.3 KB each)
  size_t playlist_targets = 10;
  bool progress = false;  // a progress line on stderr
  const RecommendationOutcomes* outcomes = nullptr;  // feedback labels (see above); may be null
};

struct RetrievalPairs {
  std::vector<RetrievalPair> train, valid;
  size_t listeners = 0, plays = 0, engaged = 0, unresolved = 0;
  size_t playlists = 0, playlist_pairs = 0;
  size_t over_cap = 0;  // pairs not kept because of max_pairs
  size_t recommended_engaged = 0;  // training positives counted twice: engaged plays of recommended tracks
  size_t recommended_negatives = 0;  // hard negatives of kept pairs that were skipped recommendations
};

Status CollectHistoryPairs(std::vector<Event> events, Catalog* catalog, const RetrievalPairOptions& options,
                           SongTable* songs, RetrievalPairs* out);
Status CollectPlaylistPairs(const std::vector<recommend::PlaylistTracks>& playlists, const Catalog& catalog,
                            const RetrievalPairOptions& options, SongTable* songs, RetrievalPairs* out);

}  // namespace segue
