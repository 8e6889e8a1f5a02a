// EmbeddingLookup: a track's song embedding (L2-normalised, dim() floats), as the retrieval bundle holds
// them. The diversity filter's maximal marginal relevance measures similarity with it. An interface so
// the recommender does not depend on how the bundle stores its matrix; the bundle implements it.
// Thread-safety: Find is called concurrently; the returned pointer stays valid as long as the lookup
// object lives (the recommender holds it by shared_ptr with the model it came with).
#pragma once

#include <cstdint>

namespace segue::recommend {

class EmbeddingLookup {
 public:
  virtual ~EmbeddingLookup() = default;
  virtual int dim() const = 0;
  // The embedding of an interned track, or nullptr when the bundle has none for it.
  virtual const float* Find(uint32_t track) const = 0;
};

}  // namespace segue::recommend
