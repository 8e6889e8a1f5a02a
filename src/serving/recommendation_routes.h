// The recommender's HTTP routes, registered by the server application:
//   GET /v1/users/{id}/recommendations        (recommendations_handler.h)
//   GET, PUT /v1/users/{id}/preferences       (preferences_handler.h)
// The handlers must outlive the router. Call during setup only (Router::Add).
#pragma once

#include "serving/preferences_handler.h"
#include "serving/recommendations_handler.h"
#include "serving/router.h"

namespace segue::serving {

void RegisterRecommendationRoutes(Router& router, const RecommendationsHandler& recommendations,
                                  const PreferencesHandler& preferences);

}  // namespace segue::serving
