// `segue eval retrieval`'s engine: any set of Retrievers evaluated on the same held-out queries, with
// baselines fitted on the same training part (issue #10 §4; docs/models.md, "Retrieval").
//
// Listening histories (time split per listener):
//  - A listener's events (PrepareListenerTimelines order) are split at first_ts + train_fraction ×
//    (last_ts − first_ts). Plays starting before the split are the training part: ReplayTrainingPart
//    feeds only those (and their sessions) to the models being fitted; no later event reaches it.
//  - Queries: every engaged play (IsEngagedPlay) starting at or after the split. The query is what
//    the server had just before that play: the tracker's state before the play event (the session),
//    the listener's bounded history of every play that ended before it (HistoryStore's rule,
//    history_builder.h: training part and earlier test plays alike), now_ms = the play's start. The
//    target is the played track. `discovery` queries are those whose target the listener had never
//    started a play of before (exact, not limited by the bounded history, and counting plays whose end
//    the tracker never reported).
// Playlists: a playlist is held out when Fnv1a64(playlist_id) % holdout_modulus == 0 and it has at
// least min_playlist_tracks distinct tracks; its last holdout_fraction of tracks (at least one) are
// the targets, the rest its context (a session of completed plays, no listener history). The others
// train (FitOnPlaylists). Tracks of the context are removed from the candidates (the RecSys Challenge
// 2018 task), then the first `candidates` are scored.
// Metrics and intervals: retrieval_metrics.h, grouped by listener (histories) or playlist.
// A retriever's error on a query counts as an empty list (and is counted in `errors`).
// Memory: the events, one SessionState and ListenerHistory per listener at a time, the fitted models.
// Thread-safety: functions are reentrant; retrievers are called from the calling thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "events/event.h"
#include "recommend/history_builder.h"
#include "recommend/playlist_file.h"
#include "recommend/retrieval_metrics.h"
#include "recommend/retriever.h"
#include "session/session_tracker.h"

namespace segue::recommend {

struct RetrievalEvalOptions {
  double train_fraction = 0.8;
  size_t candidates = 100;  // list length scored (recall@100 needs 100)
  size_t max_history_tracks = kDefaultHistoryTracks;
  SessionTrackerOptions tracker;
  uint32_t holdout_modulus = 5;      // playlists
  double holdout_fraction = 0.25;    // playlists
  size_t min_playlist_tracks = 5;    // playlists
  int bootstrap_resamples = 1000;
  uint64_t seed = 1;
  bool progress = false;  // progress lines on stderr
};

// Events of many listeners, de-duplicated and grouped (models/dataset.h PrepareListenerTimelines).
class HistoryCorpus {
 public:
  explicit HistoryCorpus(std::vector<Event> events);
  size_t listeners() const { return begins_.size(); }
  std::span<const Event> events_of(size_t listener) const;
  size_t events() const { return events_.size(); }
  size_t duplicates() const { return duplicates_; }
  // Event time splitting the listener's training part from its test part.
  int64_t SplitMs(size_t listener, double train_fraction) const;

 private:
  std::vector<Event> events_;
  std::vector<size_t> begins_;
  size_t duplicates_ = 0;
};

// Called for each ended play of the training part: the listener's state right after it ended.
using TrainingPlayObserver = std::function<void(const SessionState& after, const PlayRecord& ended)>;

struct TrainingSummary {
  size_t listeners = 0;
  size_t plays = 0;
  size_t engaged = 0;
};
TrainingSummary ReplayTrainingPart(const HistoryCorpus& corpus, Catalog* catalog, const RetrievalEvalOptions& options,
                                   const TrainingPlayObserver& observe);

// One play of a replayed window, with what the server had when it started (the query rule above).
struct PlayQuery {
  uint32_t listener = 0;  // index in the corpus
  RetrievalQuery query;   // session and history point into the replay: valid during the call only
  PlayRecord play;        // as it ended (engaged or not)
  bool discovery = false;  // the listener had never started a play of this track before
};
using PlayQueryObserver = std::function<void(const PlayQuery&)>;

// Replays each listener's events (from the first, so sessions and histories are complete) and calls
// `observe` for every play starting in [SplitMs(from_fraction), SplitMs(to_fraction)); to_fraction >= 1
// means to the end. Events at or after the window's end are not replayed, so nothing observed depends
// on them. EvaluateHistories is this over [train_fraction, 1], asking the retrievers on engaged plays;
// the ranker's training examples (ranker_training.h) come from an earlier window.
void ForEachPlayQuery(const HistoryCorpus& corpus, Catalog* catalog, const RetrievalEvalOptions& options,
                      double from_fraction, double to_fraction, const PlayQueryObserver& observe);

struct ModelMetrics {
  std::string name;
  MetricSummary all;
  MetricSummary discovery;  // histories only
  size_t errors = 0;
};

struct HistoryEvalReport {
  size_t listeners = 0;            // in the corpus
  size_t queries = 0;
  size_t discovery_queries = 0;
  std::vector<ModelMetrics> models;  // in the order given
};
Result<HistoryEvalReport> EvaluateHistories(const HistoryCorpus& corpus, Catalog* catalog,
                                            std::span<const Retriever* const> retrievers,
                                            const RetrievalEvalOptions& options);

bool IsHeldOutPlaylist(const PlaylistTracks& playlist, const RetrievalEvalOptions& options);
// Feeds every training (not held-out) playlist to `observe`; returns how many.
size_t ForEachTrainingPlaylist(std::span<const PlaylistTracks> playlists, const RetrievalEvalOptions& options,
                               const std::function<void(const PlaylistTracks&)>& observe);

struct PlaylistEvalReport {
  size_t playlists = 0;        // read
  size_t queries = 0;          // held-out playlists evaluated
  size_t targets = 0;          // held-out tracks to find, all queries together
  size_t targets_in_training = 0;  // of them, in some training playlist: what any co-occurrence model could find
  std::vector<ModelMetrics> models;
};
Result<PlaylistEvalReport> EvaluatePlaylists(std::span<const PlaylistTracks> playlists,
                                             std::span<const Retriever* const> retrievers,
                                             const RetrievalEvalOptions& options);

}  // namespace segue::recommend
