// ListeningFeed: keeps the recommender's online state fresh from the pipeline: every play that ends goes
// into the listener's history (HistoryStore) and into the popularity and co-occurrence models
// (RetrievalBaselines), so served recommendations use what was played seconds ago, without a retrain.
// It is the SessionObserver the server hands to the pipeline (session/session_observer.h).
// Thread-safety: as SessionObserver; the store and the baselines are thread-safe and outlive this.
#pragma once

#include "recommend/history_store.h"
#include "recommend/retrieval_baselines.h"
#include "session/session_observer.h"

namespace segue::recommend {

class ListeningFeed : public SessionObserver {
 public:
  ListeningFeed(HistoryStore* history, RetrievalBaselines* baselines) : history_(history), baselines_(baselines) {}

  void OnPlayEnded(std::string_view user_id, const SessionState& after, const ApplyOutcome& outcome) override;

 private:
  HistoryStore* history_;
  RetrievalBaselines* baselines_;
};

}  // namespace segue::recommend
