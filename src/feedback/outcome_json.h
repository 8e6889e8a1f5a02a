// The JSON form of an Outcome: the outcome store's values and `segue log export --outcomes` lines.
// {"rec_id","user_id","track_id" (null when none),"kind","pushed","impression_ts","ts" (RFC 3339),
//  "listened_ms","seq"}. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "feedback/outcome.h"

namespace segue::feedback {

std::string OutcomeToJson(const Outcome& outcome);
// Errors (kCorruption) say what is missing or malformed.
Result<Outcome> OutcomeFromJson(std::string_view json);

}  // namespace segue::feedback
