// LiveScoring: what the server's pipeline does with committed events (pipeline/pipeline.h):
// apply every event to the SessionTracker, and score the listener at every decision point. It is a
// named unit rather than a lambda in server_app.cc so the train/serve parity test drives this exact code.
//
// Contract:
//  - OnCommitted applies the events in order; after each applied one that ended a play, every observer
//    sees the listener's state (session/session_observer.h); an event is scored iff
//    DisengagementScorer::IsDecisionPoint(event, outcome) (the labels' rule), with the features computed
//    from the tracker's state right after it (under the tracker's shard lock, scoring outside it).
//  - Every event observer (session/event_observer.h) sees each applied event, outside the tracker's lock,
//    before the event is scored (so a trigger it causes comes after the observers saw the event).
//  - Without a scorer (no usable model) it only applies.
// Thread-safety: OnCommitted may run concurrently for events of different listeners (the pipeline's
// workers each own a set of partitions); one listener's events must come in log order from one thread.
// It keeps no state of its own; the tracker and scorer are thread-safe. They and the catalog must
// outlive it.
#pragma once

#include <vector>

#include "catalog/catalog.h"
#include "events/event.h"
#include "models/disengagement_scorer.h"
#include "session/event_observer.h"
#include "session/session_observer.h"
#include "session/session_tracker.h"

namespace segue {

class LiveScoring {
 public:
  // `scorer` may be null; observers must outlive this.
  LiveScoring(SessionTracker* tracker, const Catalog* catalog, DisengagementScorer* scorer,
              std::vector<SessionObserver*> observers = {}, std::vector<EventObserver*> event_observers = {})
      : tracker_(tracker), catalog_(catalog), scorer_(scorer), observers_(std::move(observers)),
        event_observers_(std::move(event_observers)) {}

  void OnCommitted(const std::vector<LoggedEvent>& events);

 private:
  SessionTracker* tracker_;
  const Catalog* catalog_;
  DisengagementScorer* scorer_;
  std::vector<SessionObserver*> observers_;
  std::vector<EventObserver*> event_observers_;
};

}  // namespace segue
