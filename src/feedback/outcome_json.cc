#include "feedback/outcome_json.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "common/time_util.h"

namespace segue::feedback {

std::string OutcomeToJson(const Outcome& o) {
  nlohmann::json j = {{"rec_id", o.rec_id},
                      {"user_id", o.user_id},
                      {"track_id", o.track_id.empty() ? nlohmann::json() : nlohmann::json(o.track_id)},
                      {"kind", OutcomeKindName(o.kind)},
                      {"pushed", o.pushed},
                      {"impression_ts", FormatRfc3339Ms(o.impression_ts_ms)},
                      {"ts", FormatRfc3339Ms(o.ts_ms)},
                      {"listened_ms", o.listened_ms},
                      {"seq", o.seq}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Outcome> OutcomeFromJson(std::string_view json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Corruption("outcome: not a JSON object");
  // Typed reads that never throw: a wrongly typed field reads as absent.
  auto str = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? std::optional(it->get<std::string>()) : std::nullopt;
  };
  auto integer = [&](const char* key) -> int64_t {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  const auto rec_id = str("rec_id");
  const auto kind = ParseOutcomeKind(str("kind").value_or(""));
  const auto impression_ts = ParseRfc3339Ms(str("impression_ts").value_or(""));
  const auto ts = ParseRfc3339Ms(str("ts").value_or(""));
  if (!rec_id || !kind || !impression_ts || !ts) {
    return Status::Corruption("outcome: kind, rec_id, impression_ts or ts missing or malformed");
  }
  Outcome o;
  o.rec_id = *rec_id;
  o.user_id = str("user_id").value_or("");
  o.track_id = str("track_id").value_or("");
  o.kind = *kind;
  auto pushed = j.find("pushed");
  o.pushed = pushed != j.end() && pushed->is_boolean() && pushed->get<bool>();
  o.impression_ts_ms = *impression_ts;
  o.ts_ms = *ts;
  o.listened_ms = integer("listened_ms");
  o.seq = static_cast<uint64_t>(integer("seq"));
  return o;
}

}  // namespace segue::feedback
