// What POST /v1/events and POST /v1/tracks share: choosing the body framing from the Content-Type,
// mapping whole-body parse errors to HTTP statuses, and rendering per-element rejections.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "events/batch_format.h"
#include "serving/http_message.h"

namespace segue::serving {

// application/json → kJsonArray; application/x-ndjson (or application/ndjson) → kNdjson. Parameters
// such as "; charset=utf-8" are ignored; the media type is case-insensitive. Anything else: nullopt.
std::optional<BodyFormat> BatchFormatOf(std::string_view content_type);

// The 415 answer for an unsupported Content-Type.
HttpResponse UnsupportedMediaType(std::string_view content_type);

// kInvalidArgument → 400, kResourceExhausted → 413, anything else → 500; the body is the message.
HttpResponse BatchParseError(const Status& status);

// Appends `"rejected":[{"index":i,"field":"...","error":"..."},...]` to `out`.
void AppendRejectionsJson(const std::vector<Rejection>& rejected, std::string* out);

}  // namespace segue::serving
