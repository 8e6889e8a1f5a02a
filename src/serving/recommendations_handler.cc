#include "serving/recommendations_handler.h"

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "serving/recommendation_query.h"
#include "serving/session_handler.h"

namespace segue::serving {

nlohmann::json RecommendationJson(const recommend::Recommendation& r, bool explain) {
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = 0; i < r.items.size(); ++i) {
    nlohmann::json item = {{"track_id", r.track_ids[i]}, {"score", r.items[i].score}};
    if (explain) item["reasons"] = r.reasons[i];
    items.push_back(std::move(item));
  }
  nlohmann::json versions = nlohmann::json::object();
  for (const auto& [component, version] : r.model_versions) versions[component] = version;
  return {{"rec_id", r.rec_id},
          {"items", std::move(items)},
          {"source", r.source},
          {"served_by", r.served_by},
          {"model_versions", std::move(versions)},
          {"took_ms", r.took_ms}};
}

std::string RecommendationToJson(const recommend::Recommendation& r, bool explain) {
  return RecommendationJson(r, explain).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void RecommendationsHandler::Register(ServerHost& host) {
  host.AddRoute(HttpMethod::kGet, "/v1/users/{id}/recommendations",
                host.AfterAcknowledgedApplied([this](HttpRequest r, PathParams p, ResponseCallback d) {
                  Handle(std::move(r), std::move(p), std::move(d));
                }),
                RouteReadiness::kAfterRestore);
}

void RecommendationsHandler::Handle(HttpRequest request, PathParams params, ResponseCallback done) const {
  const std::string& user = params.at(0);
  if (Status s = ValidateUserIdParam(user); !s.ok()) return done(JsonError(400, s.message()));
  Result<RecommendationQuery> query = ParseRecommendationQuery(request.target, recommender_->config());
  if (!query.ok()) return done(JsonError(400, query.status().message()));

  Result<std::optional<SessionState>> stored = sessions_->Session(user);
  if (!stored.ok()) return done(StoreUnavailable(stored.status()));
  const std::optional<SessionState>& session = *stored;
  std::optional<recommend::ListenerHistory> history = history_ ? history_(user) : std::nullopt;

  recommend::RecommendRequest r;
  r.user_id = user;
  r.session = session ? &*session : nullptr;
  r.history = history ? &*history : nullptr;
  r.now_ms = NowMs();
  r.k = query->k;
  r.explain = query->explain;
  r.filters = query->filters;
  r.record_impression = request.method != HttpMethod::kHead;
  recommender_->RecommendAsync(r, [done = std::move(done), explain = query->explain](recommend::Recommendation rec) {
    done(JsonResponse(200, RecommendationToJson(rec, explain)));
  });
}

}  // namespace segue::serving
