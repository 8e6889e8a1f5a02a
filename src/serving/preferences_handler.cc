#include "serving/preferences_handler.h"

#include "preferences/preferences_json.h"
#include "serving/recommendation_query.h"

namespace segue::serving {

void PreferencesHandler::Register(ServerHost& host) {
  host.AddRoute(
      HttpMethod::kGet, "/v1/users/{id}/preferences",
      [this](HttpRequest r, PathParams p, ResponseCallback d) { Get(std::move(r), std::move(p), std::move(d)); },
      RouteReadiness::kAlways);
  host.AddRoute(
      HttpMethod::kPut, "/v1/users/{id}/preferences",
      [this](HttpRequest r, PathParams p, ResponseCallback d) { Put(std::move(r), std::move(p), std::move(d)); },
      RouteReadiness::kAlways);
}

void PreferencesHandler::Get(HttpRequest, PathParams params, ResponseCallback done) const {
  const std::string& user = params.at(0);
  if (Status s = ValidateUserIdParam(user); !s.ok()) return done(JsonError(400, s.message()));
  Result<preferences::Preferences> p = store_->Get(user);
  if (!p.ok()) return done(JsonError(503, p.status().message()));
  done(JsonResponse(200, preferences::PreferencesToJson(*p)));
}

void PreferencesHandler::Put(HttpRequest request, PathParams params, ResponseCallback done) const {
  const std::string& user = params.at(0);
  if (Status s = ValidateUserIdParam(user); !s.ok()) return done(JsonError(400, s.message()));
  Result<preferences::Preferences> current = store_->Get(user);
  if (!current.ok()) return done(JsonError(503, current.status().message()));
  Result<preferences::Preferences> updated = preferences::ParsePreferences(request.body, *current);
  if (!updated.ok()) return done(JsonError(400, updated.status().message()));
  if (Status s = store_->Put(user, *updated); !s.ok()) return done(JsonError(503, s.message()));
  done(JsonResponse(200, preferences::PreferencesToJson(*updated)));
}

}  // namespace segue::serving
