#include "serving/session_handler.h"

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "models/disengagement_scorer.h"
#include "serving/node_component.h"
#include "session/session_json.h"
#include "session/session_tracker.h"

namespace segue::serving {

void SessionHandler::Register(ServerHost& host) {
  host.AddRoute(HttpMethod::kGet, "/v1/users/{id}/session",
                host.AfterAcknowledgedApplied([this](HttpRequest r, PathParams p, ResponseCallback d) {
                  Handle(std::move(r), std::move(p), std::move(d));
                }),
                RouteReadiness::kAfterRestore);
}

Result<std::string> SessionHandler::StoredSessionJson(const std::string& user) const {
  Result<std::optional<SessionState>> stored = node_->ReadStored(user);
  if (!stored.ok()) return stored.status();
  return stored->has_value() ? SessionToJson(**stored, tracker_->catalog()) : std::string();
}

void SessionHandler::Handle(HttpRequest, PathParams params, ResponseCallback done) const {
  const std::string& user = params.at(0);
  std::string body;
  if (node_ && !node_->Owns(user)) {
    Result<std::string> stored = StoredSessionJson(user);
    if (!stored.ok()) {
      HttpResponse r = JsonError(503, "the online store is unavailable: " + stored.status().message());
      r.headers.emplace_back("Retry-After", "1");
      return done(std::move(r));
    }
    body = std::move(*stored);
  } else {
    // Rendered under the shard lock (Visit) so the session is not copied.
    tracker_->Visit(user, [&](const SessionState& s) { body = SessionToJson(s, tracker_->catalog()); });
  }
  if (body.empty()) return done(JsonError(404, "no active session for user '" + user + "'"));
  // The model's view of the listener, appended to the session object: null when nothing was scored.
  nlohmann::json score = nullptr, trigger = nullptr;
  if (std::optional<ListenerScoreView> v = scorer_ ? scorer_->Get(user) : std::nullopt) {
    score = v->score;
    if (v->last_trigger) {
      trigger = {{"ts", FormatRfc3339Ms(v->last_trigger->ts_ms)},
                 {"score", v->last_trigger->score},
                 {"threshold", v->last_trigger->threshold},
                 {"reason", v->last_trigger->reason}};
    }
  }
  if (!body.empty() && body.back() == '}') {
    body.pop_back();
    body += ",\"disengagement_score\":" + score.dump() + ",\"last_trigger\":" + trigger.dump() + "}";
  }
  done(JsonResponse(200, std::move(body)));
}

}  // namespace segue::serving
