// ScoreAccumulator: sums scores per track from several sources (neighbour lists, popularity lists,
// retrievers of a blend) and returns the best n as Retriever candidates. One implementation of "merge
// weighted candidate lists" for every retriever that needs it.
// Not thread-safe: one per Retrieve call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "recommend/retriever.h"

namespace segue::recommend {

class ScoreAccumulator {
 public:
  void Add(uint32_t track, float score);
  // The n best (score descending, ties by smaller track id) into `out` (cleared first).
  void TopN(size_t n, std::vector<Candidate>* out) const;
  bool empty() const { return scores_.empty(); }

 private:
  std::vector<Candidate> scores_;
  std::unordered_map<uint32_t, size_t> index_;
};

}  // namespace segue::recommend
