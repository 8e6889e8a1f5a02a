// JSON rendering of a listener's session for `GET /v1/users/{id}/session` (schema in docs/sessions.md).
// Times are RFC 3339 (UTC, milliseconds), durations integer milliseconds, track ids the catalog strings.
// SessionJson() returns the object so the server can add fields owned by other components (issue #3:
// `disengagement_score`, `last_trigger`) before serialising it; SessionToJson() is the plain string.
// Pure functions; thread-safe (the catalog is only read).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "session/session_state.h"

namespace segue {

class Catalog;

std::string_view PlayEndName(PlayEnd end);      // "ongoing", "completed", "skipped", ...
std::string_view PlayStateName(PlayState state);  // "idle", "playing", "paused"

nlohmann::json SessionJson(const SessionState& state, const Catalog& catalog);
std::string SessionToJson(const SessionState& state, const Catalog& catalog);

}  // namespace segue
