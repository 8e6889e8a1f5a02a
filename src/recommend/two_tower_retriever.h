// TwoTowerRetriever: the two-tower model as a Retriever (retriever.h). The user tower (plain C++,
// two_tower_encoder.h) embeds the listener's live session (features from the shared feature code, day of
// week of its last event); the VectorIndex returns the songs with the highest inner product (cosine:
// both towers output unit vectors). A listener without a session (cold start) is embedded from an empty
// session at query.now_ms, so the answer is the model's context-only guess, never an error.
// query.history is not used: the user tower sees the long-term profile the session state carries.
//
// Labels map to interned tracks (Catalog) through TrackLabels (track_labels.h): the bundle's rows, then
// the tracks the TrackIndexer inserts while serving, which this retriever returns as soon as they are in
// the index. A label without a track is skipped, so fewer than n candidates may come back.
// Thread-safety: Retrieve is safe concurrently, and with the indexer's inserts (the encoder is immutable,
// the index's Search and TrackLabels are thread-safe, the Catalog locks internally).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "models/retrieval_bundle.h"
#include "models/two_tower_encoder.h"
#include "recommend/retriever.h"
#include "recommend/track_labels.h"
#include "recommend/vector_index.h"

namespace segue::recommend {

class TwoTowerRetriever final : public Retriever {
 public:
  TwoTowerRetriever(std::shared_ptr<const UserEncoder> user, std::shared_ptr<const VectorIndex> index,
                    std::shared_ptr<const TrackLabels> labels, const Catalog* catalog);
  // The user tower and index of a loaded bundle, with `labels` (TrackLabels::Intern of its track ids).
  static std::unique_ptr<TwoTowerRetriever> FromModel(const RetrievalModel& model,
                                                      std::shared_ptr<const TrackLabels> labels, const Catalog* catalog);

  std::string_view name() const override { return "two_tower"; }
  Status Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const override;

 private:
  std::shared_ptr<const UserEncoder> user_;
  std::shared_ptr<const VectorIndex> index_;
  std::shared_ptr<const TrackLabels> labels_;
  const Catalog* catalog_;
};

}  // namespace segue::recommend
