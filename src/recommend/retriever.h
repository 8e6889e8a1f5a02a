// Retriever: the first stage of a recommendation. Given what the server knows about a listener (the
// live session, their longer listening history, the time), it proposes the N most promising tracks of
// the catalog. The ranking stage (ranker.h) reorders them and the post-filters (filter.h) remove what
// must not be shown. Every candidate generator is a Retriever, so the serving path and `segue eval
// retrieval` use the same objects: the two-tower model (user tower + VectorIndex), and the baselines
// (global popularity, session-kNN co-occurrence, "more from the session's artists", the listener's own
// history) or a blend of them.
//
// Contract:
//  - Retrieve fills `out` (cleared first) with at most n candidates, best first (score descending,
//    ties in any fixed order), each track at most once. Scores are comparable within one call only.
//  - Fewer than n (even none) is not an error: a retriever proposes only what it has evidence for. An
//    error Status means the retriever could not answer (e.g. its model is missing); callers fall back.
//  - Tracks are the Catalog's interned ids (catalog.h): process-local, never persisted as numbers.
//  - Retrieve must not block on I/O: it runs inside a request's deadline.
// Thread-safety: Retrieve is called concurrently from many threads; implementations are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "recommend/listener_history.h"
#include "session/session_state.h"

namespace segue::recommend {

struct RetrievalQuery {
  std::string_view user_id;
  // The listener's current (or last) session as the tracker holds it; null for a listener the server
  // has never seen (cold start).
  const SessionState* session = nullptr;
  // What they played before, beyond the session's own plays; null or empty when unknown.
  const ListenerHistory* history = nullptr;
  int64_t now_ms = 0;  // event time the recommendation is for (the session's last event when replaying)
};

struct Candidate {
  uint32_t track = 0;  // interned (Catalog)
  float score = 0;

  bool operator==(const Candidate&) const = default;
};

class Retriever {
 public:
  virtual ~Retriever() = default;

  // Short stable name for responses, metrics and `segue eval retrieval` ("two_tower", "session_knn", ...).
  virtual std::string_view name() const = 0;

  virtual Status Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const = 0;
};

// A retriever owned elsewhere that outlives every holder (the server's baselines), as the shared_ptr the
// recommender takes: it does not own it.
inline std::shared_ptr<const Retriever> Unowned(const Retriever& retriever) {
  return std::shared_ptr<const Retriever>(std::shared_ptr<void>(), &retriever);
}

}  // namespace segue::recommend
