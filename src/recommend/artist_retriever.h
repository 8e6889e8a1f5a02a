// "More from the artists in the session": the session's recent artists (session_context.h: engaged or
// playing, decayed by recency), each weighted by its share of that context, and each artist's tracks
// by popularity (PopularityModel's per-artist lists, so it stays fresh when the model is fed online).
// A session without plays, or whose tracks have no known artist (catalog.h), gets no candidates.
// Thread-safety: Retrieve is safe concurrently (the model locks).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "recommend/popularity.h"
#include "recommend/retriever.h"

namespace segue::recommend {

class ArtistRetriever : public Retriever {
 public:
  explicit ArtistRetriever(const PopularityModel& model, size_t context_plays = 10, float decay = 0.8f)
      : model_(model), context_plays_(context_plays), decay_(decay) {}

  std::string_view name() const override { return "artist"; }
  Status Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const override;

 private:
  const PopularityModel& model_;
  size_t context_plays_;
  float decay_;
};

}  // namespace segue::recommend
