// Filter: a post-filter of the recommendation pipeline, applied after ranking and before the top K is
// cut. A filter removes tracks that must not be shown (explicit content, what was just played), and may
// re-score or reorder (new-release boost, diversity). The recommender applies, in order: explicit,
// freshness, diversity. Each filter reads its own part of FilterOptions, so every one of them is
// configurable per server and per request.
//
// Contract: Apply receives the list best first and leaves it best first; it never adds tracks (the
// diversity filter, the last, may drop everything after the first k). It does no I/O (it runs inside
// the request's deadline).
// Thread-safety: Apply is called concurrently; filters hold only immutable state.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "preferences/preferences.h"
#include "recommend/embedding_lookup.h"
#include "recommend/filter_options.h"
#include "recommend/ranked_track.h"
#include "recommend/retriever.h"

namespace segue::recommend {

struct FilterContext {
  const RetrievalQuery& query;  // session, history, now
  const FilterOptions& options;
  const preferences::Preferences& preferences;  // the listener's
  const EmbeddingLookup* embeddings = nullptr;  // the current model's; null when none is loaded
  size_t k = 10;                                // how many the caller keeps
};

class Filter {
 public:
  virtual ~Filter() = default;
  virtual std::string_view name() const = 0;
  virtual void Apply(const FilterContext& context, std::vector<RankedTrack>* items) const = 0;
};

}  // namespace segue::recommend
