// The request parameters of GET /v1/users/{id}/recommendations: the listener id of the path and the
// query string (k, explain, and one parameter per FilterOption, over the server's defaults):
//   k=1..max_k  explain=true|false  explicit_filter=BOOL  exclude_session=BOOL
//   exclude_played_hours=0..8760  exclude_skipped_artist=BOOL  new_release_boost=0..1
//   new_release_days=1..3650  diversity=none|artist_cap|mmr  max_per_artist=1..1000  mmr_lambda=0..1
// BOOL is true|false|1|0. Errors are kInvalidArgument naming the parameter (the handler's 400).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "recommend/recommend_config.h"

namespace segue::serving {

struct RecommendationQuery {
  size_t k = 10;
  bool explain = false;
  recommend::FilterOptions filters;
};

// A listener id as events carry it: 1..128 bytes, no control characters.
Status ValidateUserIdParam(std::string_view user_id);

Result<RecommendationQuery> ParseRecommendationQuery(std::string_view target, const recommend::RecommendConfig& config);

}  // namespace segue::serving
