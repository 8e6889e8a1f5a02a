// The persisted form of a listener's pending feedback state (attribution.h), as the outcome store keeps
// it: a JSON object {"seq","pending":[{"rec_id","pushed","event_ts_ms","tracks","played",
// "searched","exited"}],"play":{...}|null}. Small (a listener holds a few pending impressions); JSON keeps
// it readable with `ldb`. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "feedback/attribution.h"

namespace segue::feedback {

std::string EncodeListenerFeedback(const ListenerFeedback& state);
// kCorruption when the text is not such an object.
Result<ListenerFeedback> DecodeListenerFeedback(std::string_view text);

}  // namespace segue::feedback
