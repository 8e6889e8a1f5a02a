// Session-kNN baseline: item-to-item co-occurrence within sessions (the item-kNN of Ludewig & Jannach,
// "Evaluation of session-based recommendation algorithms", 2018, which, with its session-neighbour
// variant, usually beats neural session models in their comparisons).
//
// Fitting: every engaged play (features/engagement.h) co-occurs with the previous `window` engaged
// plays of its session, both directions. Playlists are sessions too (ObserveSequence). Each track keeps
// its `neighbours` most co-occurring tracks (space-saving, top_counter.h), so memory is bounded by
// 60 B per interned track + 16 B per neighbour entry (at most tracks × neighbours), however long the
// input; the same Observe calls keep it fresh online.
// Scoring: for the session's recent context (session_context.h, decay per play back), a candidate j
// scores Σ_i weight_i × c(i, j) / sqrt(n_i × (n_j + shrink)): the cosine of the co-occurrence counts
// (n = engaged occurrences, c = the space-saving lower bound), shrunk for rare candidates, whose
// cosine from one or two co-occurrences would otherwise outrank everything (measured: docs/models.md). Tracks already in the context are candidates too (listeners repeat). A session without
// engaged plays gets no candidates.
// Thread-safety: Observe* and Retrieve are safe concurrently (a reader/writer lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <vector>

#include "recommend/retriever.h"
#include "recommend/top_counter.h"
#include "session/session_state.h"

namespace segue::recommend {

struct SessionKnnOptions {
  size_t neighbours = 200;    // kept per track
  size_t window = 10;         // co-occurrence window: previous engaged plays of the session
  size_t context_plays = 10;  // recent session plays a query conditions on
  float decay = 0.8f;         // weight of each play back in the context
  float shrink = 20.f;        // added to a candidate's occurrences: rare tracks' few co-occurrences are noise
};

class SessionKnnRetriever : public Retriever {
 public:
  explicit SessionKnnRetriever(SessionKnnOptions options = {});

  // `ended` is an element of session.plays (the state right after it ended; EndedPlay gives it).
  void ObserveSessionPlay(const SessionState& session, const PlayRecord& ended);
  // A sequence of tracks engaged with together (a playlist), in order.
  void ObserveSequence(std::span<const uint32_t> tracks);

  std::string_view name() const override { return "session_knn"; }
  Status Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const override;

 private:
  // `track` co-occurs with each of `previous` (distinct from it). Caller holds the lock exclusively.
  void CoOccur(uint32_t track, std::span<const uint32_t> previous);
  // Makes room for tracks up to `track`.
  void Grow(uint32_t track);

  SessionKnnOptions options_;
  mutable std::shared_mutex mu_;
  std::vector<TopCounter> neighbours_;  // by interned track
  std::vector<uint32_t> occurrences_;   // engaged occurrences by interned track
};

}  // namespace segue::recommend
