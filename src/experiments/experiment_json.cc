#include "experiments/experiment_json.h"

#include <limits>

namespace segue::experiments {
namespace {

using nlohmann::json;

Status Unknown(const json& object, std::initializer_list<std::string_view> known, const std::string& prefix) {
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (std::string_view k : known) found = found || k == key;
    if (!found) return Status::InvalidArgument(prefix + key + ": unknown field");
  }
  return Status::Ok();
}

template <typename T>
Status Field(const json& object, const char* key, const std::string& prefix, T* out) {
  auto it = object.find(key);
  if (it == object.end()) return Status::Ok();
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return Status::InvalidArgument(prefix + key + ": must be a string");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return Status::InvalidArgument(prefix + key + ": must be true or false");
  } else if constexpr (std::is_same_v<T, float>) {
    if (!it->is_number()) return Status::InvalidArgument(prefix + key + ": must be a number");
  } else {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 ||
        it->get<int64_t>() > static_cast<int64_t>(std::numeric_limits<T>::max())) {
      return Status::InvalidArgument(prefix + key + ": must be a non-negative integer");
    }
  }
  *out = it->get<T>();
  return Status::Ok();
}

Result<ArmSpec> ArmFromJson(const json& j, const std::string& prefix) {
  if (!j.is_object()) return Status::InvalidArgument(prefix.substr(0, prefix.size() - 1) + ": must be an object");
  if (Status s = Unknown(j, {"name", "kind", "weight", "threshold", "retriever"}, prefix); !s.ok()) return s;
  ArmSpec arm;
  std::string kind = "treatment";
  for (Status s : {Field(j, "name", prefix, &arm.name), Field(j, "kind", prefix, &kind),
                   Field(j, "weight", prefix, &arm.weight), Field(j, "threshold", prefix, &arm.threshold),
                   Field(j, "retriever", prefix, &arm.retriever)}) {
    if (!s.ok()) return s;
  }
  std::optional<ArmKind> parsed = ParseArmKind(kind);
  if (!parsed) {
    return Status::InvalidArgument(prefix + "kind: must be \"shadow\", \"treatment\", \"threshold\" or \"retriever\"");
  }
  arm.kind = *parsed;
  return arm;
}

}  // namespace

json ExperimentToJson(const ExperimentSpec& spec) {
  json arms = json::array();
  for (const ArmSpec& a : spec.arms) {
    json arm = {{"name", a.name}, {"kind", ArmKindName(a.kind)}, {"weight", a.weight}};
    if (a.kind == ArmKind::kThreshold) arm["threshold"] = a.threshold;
    if (a.kind == ArmKind::kRetriever) arm["retriever"] = a.retriever;
    arms.push_back(std::move(arm));
  }
  return {{"id", spec.id},
          {"description", spec.description},
          {"enabled", spec.enabled},
          {"horizon_ms", spec.horizon_ms},
          {"arms", std::move(arms)}};
}

Result<ExperimentSpec> ExperimentFromJson(const json& j, std::string_view id) {
  if (!j.is_object()) return Status::InvalidArgument("the experiment must be a JSON object");
  if (Status s = Unknown(j, {"id", "description", "enabled", "horizon_ms", "arms"}, ""); !s.ok()) return s;
  ExperimentSpec spec;
  spec.id = std::string(id);
  std::string body_id = spec.id;
  for (Status s : {Field(j, "id", "", &body_id), Field(j, "description", "", &spec.description),
                   Field(j, "enabled", "", &spec.enabled), Field(j, "horizon_ms", "", &spec.horizon_ms)}) {
    if (!s.ok()) return s;
  }
  if (body_id != spec.id) return Status::InvalidArgument("id: \"" + body_id + "\" differs from the path's \"" + spec.id + "\"");
  auto arms = j.find("arms");
  if (arms == j.end() || !arms->is_array()) return Status::InvalidArgument("arms: required, an array of arms");
  for (size_t i = 0; i < arms->size(); ++i) {
    Result<ArmSpec> arm = ArmFromJson((*arms)[i], "arms[" + std::to_string(i) + "].");
    if (!arm.ok()) return arm.status();
    spec.arms.push_back(std::move(*arm));
  }
  if (Status s = ValidateExperiment(spec); !s.ok()) return s;
  return spec;
}

Result<ExperimentSpec> ParseExperiment(std::string_view body, std::string_view id) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("the body is not valid JSON");
  return ExperimentFromJson(j, id);
}

}  // namespace segue::experiments
