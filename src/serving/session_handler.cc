#include "serving/session_handler.h"

#include "session/session_json.h"

namespace segue::serving {

void SessionHandler::Register(ServerHost& host) {
  host.AddRoute(HttpMethod::kGet, "/v1/users/{id}/session",
                host.AfterAcknowledgedApplied([this](HttpRequest r, PathParams p, ResponseCallback d) {
                  Handle(std::move(r), std::move(p), std::move(d));
                }),
                RouteReadiness::kAfterRestore);
}

HttpResponse StoreUnavailable(const Status& status) {
  HttpResponse r = JsonError(503, "the online store is unavailable: " + status.message());
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

void SessionHandler::Handle(HttpRequest, PathParams params, ResponseCallback done) const {
  const std::string& user = params.at(0);
  Result<std::optional<SessionState>> session = state_->Session(user);
  if (!session.ok()) return done(StoreUnavailable(session.status()));
  if (!session->has_value()) return done(JsonError(404, "no active session for user '" + user + "'"));
  Result<nlohmann::json> view = state_->View(user);
  if (!view.ok()) return done(StoreUnavailable(view.status()));
  std::string body = SessionToJson(**session, state_->catalog());
  // The view's fields are appended to the session object.
  if (!body.empty() && body.back() == '}') {
    body.pop_back();
    for (const auto& [field, value] : view->items()) body += ",\"" + field + "\":" + value.dump();
    body += "}";
  }
  done(JsonResponse(200, std::move(body)));
}

}  // namespace segue::serving
