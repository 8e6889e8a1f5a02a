#include "recommend/retrieval_baselines.h"

#include "recommend/history_builder.h"

namespace segue::recommend {

RetrievalBaselines::RetrievalBaselines(const Catalog* catalog, RetrievalBaselineOptions options)
    : model_(catalog, options.popularity),
      popularity_(model_, PopularityScope::kGlobal),
      genre_popularity_(model_, PopularityScope::kSessionGenres),
      hour_popularity_(model_, PopularityScope::kHourOfDay),
      session_knn_(options.session_knn),
      artist_(model_, options.session_knn.context_plays, options.session_knn.decay),
      blend_("blend", {{&session_knn_, options.blend_session_knn},
                       {&own_history_, options.blend_own_history},
                       {&popularity_, options.blend_popularity}}) {}

void RetrievalBaselines::ObservePlay(const SessionState& after, const PlayRecord& ended) {
  model_.ObservePlay(ended, PlayStartMs(after, ended));
  session_knn_.ObserveSessionPlay(after, ended);
}

void RetrievalBaselines::ObservePlaylist(std::span<const uint32_t> tracks, int64_t ts_ms) {
  for (uint32_t t : tracks) model_.ObserveEngaged(t, ts_ms);
  session_knn_.ObserveSequence(tracks);
}

std::vector<const Retriever*> RetrievalBaselines::All() const {
  return {&popularity_, &session_knn_, &artist_, &own_history_, &blend_, &genre_popularity_, &hour_popularity_};
}

}  // namespace segue::recommend
