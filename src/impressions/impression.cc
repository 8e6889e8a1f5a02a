#include "impressions/impression.h"

#include <nlohmann/json.hpp>

#include "common/time_util.h"

namespace segue::impressions {

std::string ImpressionToJson(const Impression& m) {
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = 0; i < m.track_ids.size(); ++i) {
    items.push_back({{"track_id", m.track_ids[i]}, {"score", i < m.scores.size() ? m.scores[i] : 0.f}});
  }
  nlohmann::json versions = nlohmann::json::object();
  for (const auto& [component, version] : m.model_versions) versions[component] = version;
  nlohmann::json j = {{"rec_id", m.rec_id},     {"user_id", m.user_id}, {"ts", FormatRfc3339Ms(m.ts_ms)},
                      {"event_ts", FormatRfc3339Ms(m.event_ts_ms)},
                      {"source", m.source},     {"items", std::move(items)},
                      {"model_versions", std::move(versions)},
                      {"trigger_score", m.trigger_score ? nlohmann::json(*m.trigger_score) : nlohmann::json()}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace segue::impressions
