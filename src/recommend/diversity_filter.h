// DiversityFilter: keeps the top K from being ten versions of one thing. Per FilterOptions::diversity:
//  - kArtistCap: at most max_per_artist tracks per artist (tracks of unknown artist are not capped); it
//    stops once k tracks are kept and drops the rest (this filter is the last before the top-k cut);
//  - kMmr: maximal marginal relevance (Carbonell & Goldstein, 1998) on the song embeddings: the K slots
//    are filled greedily by  lambda * relevance - (1 - lambda) * max cosine to the tracks already chosen,
//    relevance being the score min-max scaled to [0, 1] within the list. The chosen K come first, the
//    rest follow in their previous order. Without embeddings (no model loaded) it applies the artist cap.
//  - kNone: nothing.
// Thread-safe (the catalog and the embedding lookup are).
#pragma once

#include "catalog/catalog.h"
#include "recommend/filter.h"

namespace segue::recommend {

class DiversityFilter : public Filter {
 public:
  explicit DiversityFilter(const Catalog& catalog) : catalog_(catalog) {}
  std::string_view name() const override { return "diversity"; }
  void Apply(const FilterContext& context, std::vector<RankedTrack>* items) const override;

 private:
  void CapPerArtist(uint32_t cap, size_t k, std::vector<RankedTrack>* items) const;

  const Catalog& catalog_;
};

// Maximal marginal relevance over `items` (best first) with their embeddings (nullptr = unknown,
// similarity 0): returns the order of the first k picks followed by the rest. Exposed for tests.
std::vector<RankedTrack> MaximalMarginalRelevance(const std::vector<RankedTrack>& items,
                                                  const std::vector<const float*>& embeddings, int dim, size_t k,
                                                  float lambda);

}  // namespace segue::recommend
