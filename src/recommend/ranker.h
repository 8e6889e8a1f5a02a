// Ranker: the second stage of a recommendation. The retriever (retriever.h) proposes a few hundred
// candidates cheaply; a ranker re-scores them with a richer view of listener × track. Implementations:
// pass_through_ranker.h, and xgboost_ranker.h (user × track features; the server's default where a ranker
// bundle is configured, since it beats pass-through in `segue eval retrieval`, docs/models.md
// "Re-ranker"). The recommender sorts by the ranker's scores (Rerank below), then applies the post-filters.
//
// Contract: Score fills `scores` (resized to candidates.size()) with one score per candidate, higher is
// better, comparable within one call only. An error Status means the ranker could not score (e.g. its
// model is missing); the recommender then keeps the retriever's order. Must not block on I/O: it runs
// inside the request's deadline, batch-first (all candidates of a request in one call).
// Thread-safety: Score is called concurrently; implementations are thread-safe.
#pragma once

#include <algorithm>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "recommend/retriever.h"

namespace segue::recommend {

class Ranker {
 public:
  virtual ~Ranker() = default;

  // Short stable name for responses and metrics ("pass_through", "xgboost").
  virtual std::string_view name() const = 0;

  virtual Status Score(const RetrievalQuery& query, std::span<const Candidate> candidates,
                       std::vector<float>* scores) const = 0;
};

// The ranking stage as the recommender and `segue eval retrieval` run it: the ranker's scores replace the
// candidates' and the list is sorted best first (stable: ties keep the retriever's order). When Score
// fails (or returns the wrong number of scores) the candidates keep the retriever's scores and order,
// and the error is returned.
inline Status Rerank(const Ranker& ranker, const RetrievalQuery& query, std::vector<Candidate>* candidates) {
  std::vector<float> scores;
  Status s = ranker.Score(query, *candidates, &scores);
  if (s.ok() && scores.size() != candidates->size()) s = Status::Internal("ranker returned a score count mismatch");
  if (!s.ok()) return s;
  for (size_t i = 0; i < candidates->size(); ++i) (*candidates)[i].score = scores[i];
  std::stable_sort(candidates->begin(), candidates->end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  return Status::Ok();
}

}  // namespace segue::recommend
