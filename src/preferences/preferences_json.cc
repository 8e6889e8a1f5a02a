#include "preferences/preferences_json.h"

#include <nlohmann/json.hpp>

namespace segue::preferences {

Result<Preferences> ParsePreferences(std::string_view json, const Preferences& base) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("body: not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("body: must be a JSON object");
  Preferences p = base;
  for (const auto& [key, value] : doc.items()) {
    if (key != "explicit") return Status::InvalidArgument(key + ": unknown field (known: explicit)");
    if (!value.is_boolean()) return Status::InvalidArgument("explicit: must be true or false");
    p.explicit_content = value.get<bool>();
  }
  return p;
}

std::string PreferencesToJson(const Preferences& p) {
  return nlohmann::json{{"explicit", p.explicit_content}}.dump();
}

}  // namespace segue::preferences
