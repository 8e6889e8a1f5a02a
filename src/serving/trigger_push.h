// TriggerPush: what the server does when a listener's disengagement trigger fires (models/
// trigger_policy.h): compute their recommendations and push them (SSE / WebSocket streams and the
// webhook, push/push_service.h). The recommendation is an impression with the trigger's score, and its
// model result fills the recommendation cache, so the listener's next GET for this session version is
// served from it.
//
// Experiments (experiments/experiment_set.h) decide first: a trigger that an experiment arm withholds
// (shadow, below a threshold arm's threshold) is recorded there and not pushed, nor recommended for
// (segue_trigger_pushes_withheld_total).
// The push JSON is the recommendation's response body (recommendations_handler.h) plus "user_id",
// "trigger_score", "trigger_event_id" and "pushed_at" (docs/api.md, "Proactive push").
// Thread-safety: OnTrigger is called on a pipeline worker (the scorer's on_trigger) and returns without
// waiting for the recommendation: the model stage runs on the recommender's pool under its deadline, and
// the push is made from there. Everything passed to the constructor must outlive it.
#pragma once

#include "experiments/experiment_set.h"
#include "models/trigger_policy.h"
#include "push/push_service.h"
#include "recommend/recommender.h"
#include "serving/recommendations_handler.h"
#include "session/session_tracker.h"

namespace segue::serving {

class TriggerPush {
 public:
  TriggerPush(const SessionTracker* tracker, RecommendationsHandler::HistoryLookup history,
              recommend::Recommender* recommender, push::PushService* push, metrics::Registry& registry,
              experiments::ExperimentSet* experiments = nullptr);

  void OnTrigger(const Trigger& trigger);

 private:
  const SessionTracker* tracker_;
  RecommendationsHandler::HistoryLookup history_;
  recommend::Recommender* recommender_;
  push::PushService* push_;
  experiments::ExperimentSet* experiments_;  // null: every trigger is pushed
  metrics::Counter& pushed_;
  metrics::Counter& no_session_;
  metrics::Counter& withheld_;
};

}  // namespace segue::serving
