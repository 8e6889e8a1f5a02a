#include "serving/recommendation_routes.h"

namespace segue::serving {

void RegisterRecommendationRoutes(Router& router, const RecommendationsHandler& recommendations,
                                  const PreferencesHandler& preferences) {
  router.Add(HttpMethod::kGet, "/v1/users/{id}/recommendations",
             [&recommendations](HttpRequest r, PathParams p, ResponseCallback d) {
               recommendations.Handle(std::move(r), std::move(p), std::move(d));
             });
  router.Add(HttpMethod::kGet, "/v1/users/{id}/preferences", [&preferences](HttpRequest r, PathParams p, ResponseCallback d) {
    preferences.Get(std::move(r), std::move(p), std::move(d));
  });
  router.Add(HttpMethod::kPut, "/v1/users/{id}/preferences", [&preferences](HttpRequest r, PathParams p, ResponseCallback d) {
    preferences.Put(std::move(r), std::move(p), std::move(d));
  });
}

}  // namespace segue::serving
