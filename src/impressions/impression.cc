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

namespace {

Result<int64_t> ParseTs(const nlohmann::json& j, const char* field) {
  const auto it = j.find(field);
  if (it == j.end() || !it->is_string()) return Status::Corruption(std::string("impression: no ") + field);
  std::optional<int64_t> ms = ParseRfc3339Ms(it->get<std::string>());
  if (!ms) return Status::Corruption(std::string("impression: bad ") + field);
  return *ms;
}

// Reads that never throw (nlohmann's value() does on a type mismatch): a wrong type reads as absent.
std::string StringOr(const nlohmann::json& j, const char* field) {
  const auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<Impression> ImpressionFromJson(std::string_view json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("items") || !j["items"].is_array()) {
    return Status::Corruption("impression: not an impression object");
  }
  Impression m;
  m.rec_id = StringOr(j, "rec_id");
  m.user_id = StringOr(j, "user_id");
  if (m.rec_id.empty() || m.user_id.empty()) return Status::Corruption("impression: no rec_id or user_id");
  m.source = StringOr(j, "source");
  Result<int64_t> ts = ParseTs(j, "ts");
  if (!ts.ok()) return ts.status();
  Result<int64_t> event_ts = ParseTs(j, "event_ts");
  if (!event_ts.ok()) return event_ts.status();
  m.ts_ms = *ts;
  m.event_ts_ms = *event_ts;
  for (const nlohmann::json& item : j["items"]) {
    if (!item.is_object() || StringOr(item, "track_id").empty()) return Status::Corruption("impression: bad item");
    m.track_ids.push_back(StringOr(item, "track_id"));
    const auto score = item.find("score");
    m.scores.push_back(score != item.end() && score->is_number() ? score->get<float>() : 0.f);
  }
  if (const auto versions = j.find("model_versions"); versions != j.end() && versions->is_object()) {
    for (const auto& [component, version] : versions->items()) {
      if (version.is_string()) m.model_versions.emplace_back(component, version.get<std::string>());
    }
  }
  if (const auto it = j.find("trigger_score"); it != j.end() && it->is_number()) m.trigger_score = it->get<float>();
  return m;
}

}  // namespace segue::impressions
