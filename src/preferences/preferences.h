// Preferences: what a listener asked the recommender to respect (PUT /v1/users/{id}/preferences).
// A listener who never set anything gets the defaults. Plain value; the JSON form (the HTTP body and
// the stored value) is in preferences_json.h, storage behind PreferenceStore (preference_store.h).
#pragma once

namespace segue::preferences {

struct Preferences {
  // false: never recommend tracks the catalog marks explicit (the explicit-content filter honours it).
  bool explicit_content = true;

  bool operator==(const Preferences&) const = default;
};

}  // namespace segue::preferences
