// The JSON form of Preferences: {"explicit": bool}. One codec for the HTTP body and the stored value,
// so what a client PUTs is what a restart reads back. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "preferences/preferences.h"

namespace segue::preferences {

// Applies the fields present in `json` over `base` (a PUT may set a subset). Not an object, an
// unknown field or a wrong type → kInvalidArgument naming the field ("explicit: must be true or false").
Result<Preferences> ParsePreferences(std::string_view json, const Preferences& base);

std::string PreferencesToJson(const Preferences& p);

}  // namespace segue::preferences
