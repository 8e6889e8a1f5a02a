// own_history baseline: the listener's own tracks again. Real listening is mostly repetition (issue
// #10 §4), so this is the bar every model must clear on the `all` queries (it can never score on the
// `discovery` ones). Candidates: the tracks of query.history plus the session's plays not in it; score
// = (1 + engaged plays) × 2^(−age / half_life), age = now_ms − the track's last play: most played and
// most recent first. Tracks only ever skipped score 0 and come last.
// Thread-safety: stateless; Retrieve is safe concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "recommend/retriever.h"

namespace segue::recommend {

class OwnHistoryRetriever : public Retriever {
 public:
  explicit OwnHistoryRetriever(int64_t half_life_ms = 14LL * 24 * 3600 * 1000) : half_life_ms_(half_life_ms) {}

  std::string_view name() const override { return "own_history"; }
  Status Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const override;

 private:
  int64_t half_life_ms_;
};

}  // namespace segue::recommend
