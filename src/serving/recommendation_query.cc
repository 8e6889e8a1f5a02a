#include "serving/recommendation_query.h"

#include <charconv>
#include <functional>
#include <map>
#include <string>

#include "serving/query_string.h"

namespace segue::serving {
namespace {

constexpr size_t kMaxUserIdBytes = 128;  // as events/event_parser.h allows

Status Invalid(const std::string& name, const std::string& what, std::string_view value) {
  return Status::InvalidArgument(name + ": " + what + ", got '" + std::string(value.substr(0, 64)) + "'");
}

Status ParseBool(const std::string& name, std::string_view v, bool* out) {
  if (v == "true" || v == "1") return *out = true, Status::Ok();
  if (v == "false" || v == "0") return *out = false, Status::Ok();
  return Invalid(name, "must be true or false", v);
}

template <typename T>
Status ParseUint(const std::string& name, std::string_view v, uint64_t min, uint64_t max, T* out) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < min || n > max) {
    return Invalid(name, "must be an integer in " + std::to_string(min) + ".." + std::to_string(max), v);
  }
  *out = static_cast<T>(n);
  return Status::Ok();
}

Status ParseUnitFloat(const std::string& name, std::string_view v, float* out) {
  float f = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), f);
  if (ec != std::errc() || end != v.data() + v.size() || !(f >= 0 && f <= 1)) {
    return Invalid(name, "must be a number in 0..1", v);
  }
  *out = f;
  return Status::Ok();
}

Status ParseDiversity(const std::string& name, std::string_view v, recommend::DiversityMode* out) {
  std::optional<recommend::DiversityMode> mode = recommend::DiversityModeFromName(v);
  if (!mode) return Invalid(name, "must be none, artist_cap or mmr", v);
  *out = *mode;
  return Status::Ok();
}

using Config = recommend::RecommendConfig;
using Setter = std::function<Status(const std::string& name, std::string_view value, const Config& config,
                                    RecommendationQuery* q)>;

// One parser per parameter name; the set of names is the API (docs/api.md).
const std::map<std::string, Setter, std::less<>>& Setters() {
  static const std::map<std::string, Setter, std::less<>> kSetters = {
      {"k", [](auto& n, auto v, auto& c, auto* q) { return ParseUint(n, v, 1, c.max_k, &q->k); }},
      {"explain", [](auto& n, auto v, auto&, auto* q) { return ParseBool(n, v, &q->explain); }},
      {"explicit_filter",
       [](auto& n, auto v, auto&, auto* q) { return ParseBool(n, v, &q->filters.explicit_filter); }},
      {"exclude_session",
       [](auto& n, auto v, auto&, auto* q) { return ParseBool(n, v, &q->filters.exclude_session); }},
      {"exclude_played_hours",
       [](auto& n, auto v, auto&, auto* q) { return ParseUint(n, v, 0, 8760, &q->filters.exclude_played_hours); }},
      {"exclude_skipped_artist",
       [](auto& n, auto v, auto&, auto* q) { return ParseBool(n, v, &q->filters.exclude_skipped_artist); }},
      {"new_release_boost",
       [](auto& n, auto v, auto&, auto* q) { return ParseUnitFloat(n, v, &q->filters.new_release_boost); }},
      {"new_release_days",
       [](auto& n, auto v, auto&, auto* q) { return ParseUint(n, v, 1, 3650, &q->filters.new_release_days); }},
      {"diversity", [](auto& n, auto v, auto&, auto* q) { return ParseDiversity(n, v, &q->filters.diversity); }},
      {"max_per_artist",
       [](auto& n, auto v, auto&, auto* q) { return ParseUint(n, v, 1, 1000, &q->filters.max_per_artist); }},
      {"mmr_lambda", [](auto& n, auto v, auto&, auto* q) { return ParseUnitFloat(n, v, &q->filters.mmr_lambda); }},
  };
  return kSetters;
}

}  // namespace

Status ValidateUserIdParam(std::string_view user_id) {
  if (user_id.empty() || user_id.size() > kMaxUserIdBytes) {
    return Status::InvalidArgument("user id: must be 1.." + std::to_string(kMaxUserIdBytes) + " bytes");
  }
  for (unsigned char c : user_id) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument("user id: must not contain control characters");
  }
  return Status::Ok();
}

Result<RecommendationQuery> ParseRecommendationQuery(std::string_view target, const recommend::RecommendConfig& config) {
  Result<QueryParams> params = ParseQueryString(target);
  if (!params.ok()) return params.status();
  RecommendationQuery q;
  q.k = config.default_k;
  q.filters = config.filters;
  for (const auto& [name, value] : *params) {
    auto it = Setters().find(name);
    if (it == Setters().end()) return Status::InvalidArgument(name + ": unknown parameter");
    if (Status s = it->second(name, value, config, &q); !s.ok()) return s;
  }
  return q;
}

}  // namespace segue::serving
