// LiveScoring: what the server does with each group of committed events (EventLog's on_committed):
// apply every event to the SessionTracker, and score the listener at every decision point. It is a
// named unit rather than a lambda in server_app.cc so the train/serve parity test drives this exact code.
//
// Contract:
//  - OnCommitted applies the events in order; an event is scored iff
//    DisengagementScorer::IsDecisionPoint(event, outcome) (the labels' rule), with the features computed
//    from the tracker's state right after it (under the tracker's shard lock, scoring outside it).
//  - Without a scorer (no usable model) it only applies.
// Thread-safety: as the log calls it, one group at a time (events of one listener in log order). The
// tracker, catalog and scorer must outlive it.
#pragma once

#include <vector>

#include "catalog/catalog.h"
#include "events/event.h"
#include "models/disengagement_scorer.h"
#include "session/session_tracker.h"

namespace segue {

class LiveScoring {
 public:
  // `scorer` may be null.
  LiveScoring(SessionTracker* tracker, const Catalog* catalog, DisengagementScorer* scorer)
      : tracker_(tracker), catalog_(catalog), scorer_(scorer) {}

  void OnCommitted(const std::vector<LoggedEvent>& events);

 private:
  SessionTracker* tracker_;
  const Catalog* catalog_;
  DisengagementScorer* scorer_;
};

}  // namespace segue
