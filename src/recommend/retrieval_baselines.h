// RetrievalBaselines: the baseline retrievers of issue #10 §4, fitted together from one stream of plays
// (or playlists) and kept fresh online by the same calls: global popularity, popularity within the
// session's genres and per hour of day, session-kNN, "more from the session's artists", own_history,
// and a blend (session-kNN + own_history + a little popularity) the serving path can use instead of
// any single one.
//
// Contract: ObservePlay receives every ended play in order per listener (the tracker's state right
// after the play ended, EndedPlay of history_builder.h); ObservePlaylist every training playlist. The
// retrievers answer from whatever was observed so far.
// Thread-safety: Observe* and the retrievers' Retrieve are safe concurrently (each model locks); the
// Catalog must outlive this object. Not copyable or movable: the retrievers point into it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "catalog/catalog.h"
#include "recommend/artist_retriever.h"
#include "recommend/blend.h"
#include "recommend/own_history.h"
#include "recommend/popularity.h"
#include "recommend/session_knn.h"
#include "session/session_state.h"

namespace segue::recommend {

struct RetrievalBaselineOptions {
  PopularityOptions popularity;
  SessionKnnOptions session_knn;
  // Blend weights (applied to each source's min-max normalised scores, blend.h).
  float blend_session_knn = 1.f;
  float blend_own_history = 1.f;
  float blend_popularity = 0.3f;
};

class RetrievalBaselines {
 public:
  explicit RetrievalBaselines(const Catalog* catalog, RetrievalBaselineOptions options = {});
  RetrievalBaselines(const RetrievalBaselines&) = delete;
  RetrievalBaselines& operator=(const RetrievalBaselines&) = delete;

  void ObservePlay(const SessionState& after, const PlayRecord& ended);
  // One playlist, in order; each entry counts as an engaged play at ts_ms.
  void ObservePlaylist(std::span<const uint32_t> tracks, int64_t ts_ms);

  const PopularityRetriever& popularity() const { return popularity_; }
  const PopularityRetriever& genre_popularity() const { return genre_popularity_; }
  const PopularityRetriever& hour_popularity() const { return hour_popularity_; }
  const SessionKnnRetriever& session_knn() const { return session_knn_; }
  const ArtistRetriever& artist() const { return artist_; }
  const OwnHistoryRetriever& own_history() const { return own_history_; }
  const BlendRetriever& blend() const { return blend_; }
  const PopularityModel& popularity_model() const { return model_; }

  // The evaluated set, in report order: popularity, session_knn, artist, own_history, blend,
  // genre_popularity, hour_popularity.
  std::vector<const Retriever*> All() const;

 private:
  PopularityModel model_;
  PopularityRetriever popularity_;
  PopularityRetriever genre_popularity_;
  PopularityRetriever hour_popularity_;
  SessionKnnRetriever session_knn_;
  ArtistRetriever artist_;
  OwnHistoryRetriever own_history_;
  BlendRetriever blend_;
};

}  // namespace segue::recommend
