#include "serving/trigger_push.h"

#include <optional>

#include "common/time_util.h"

namespace segue::serving {

TriggerPush::TriggerPush(const SessionTracker* tracker, RecommendationsHandler::HistoryLookup history,
                         recommend::Recommender* recommender, push::PushService* push, metrics::Registry& registry,
                         experiments::ExperimentSet* experiments)
    : tracker_(tracker),
      history_(std::move(history)),
      recommender_(recommender),
      push_(push),
      experiments_(experiments),
      pushed_(registry.AddCounter("segue_trigger_pushes_total",
                                  "Disengagement triggers whose recommendations were pushed.")),
      no_session_(registry.AddCounter("segue_trigger_pushes_skipped_total",
                                      "Triggers not pushed: the listener's session was already gone.")),
      withheld_(registry.AddCounter("segue_trigger_pushes_withheld_total",
                                    "Triggers not pushed: an experiment arm withheld them (shadow, below its "
                                    "threshold).")) {}

void TriggerPush::OnTrigger(const Trigger& trigger) {
  if (experiments_ && !experiments_->OnTrigger(trigger.user_id, trigger.ts_ms, trigger.score)) {
    withheld_.Inc();
    return;
  }
  std::optional<SessionState> session;
  tracker_->Visit(trigger.user_id, [&](const SessionState& s) { session = s; });
  if (!session) {
    no_session_.Inc();
    return;
  }
  std::optional<recommend::ListenerHistory> history = history_ ? history_(trigger.user_id) : std::nullopt;
  recommend::RecommendRequest request;
  request.user_id = trigger.user_id;
  request.session = &*session;
  request.history = history ? &*history : nullptr;
  request.now_ms = trigger.ts_ms;
  request.k = recommender_->config().default_k;
  request.explain = true;
  request.filters = recommender_->config().filters;
  request.trigger_score = trigger.score;
  request.event_ts_ms = trigger.ts_ms;
  recommender_->RecommendAsync(request, [this, user = trigger.user_id, score = trigger.score,
                                         event_id = trigger.event_id](recommend::Recommendation r) {
    nlohmann::json body = RecommendationJson(r, /*explain=*/true);
    body["user_id"] = user;
    body["trigger_score"] = score;
    body["trigger_event_id"] = event_id;
    body["pushed_at"] = FormatRfc3339Ms(NowMs());
    // Counted before the hand-off, so a client that has the push also sees it in /metrics.
    pushed_.Inc();
    push_->Push(std::make_shared<const push::PushMessage>(
        push::PushMessage{user, r.rec_id, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}));
  });
}

}  // namespace segue::serving
