// How the HTTP layer reports the event log's write health (EventAppender::health()): the 507 answer to a write
// the log refused for lack of disk space, and the answer of GET /readyz.
//
// Plain functions; thread-safe as far as EventAppender::health() is (it is).
#pragma once

#include <string_view>

#include "serving/http_message.h"

namespace segue {
class EventAppender;
}

namespace segue::serving {

// Seconds a client should wait before retrying a write refused for lack of disk space. The log re-checks
// free space about once a second, but space rarely comes back faster than an operator acts.
inline constexpr char kNoSpaceRetryAfter[] = "5";

// 507 Insufficient Storage, {"error": message}, Retry-After: kNoSpaceRetryAfter.
HttpResponse InsufficientStorage(std::string_view message);

// GET /readyz: 200 {"status":"ready"} once sessions are restored and while the log accepts appends;
// otherwise 503 {"error": why} (restoring sessions, or the log's health message, e.g. the disk is full).
// A not-ready server still serves reads, sessions and /metrics; readiness only steers new writes away.
HttpResponse ReadinessResponse(bool sessions_restored, const EventAppender& log);

}  // namespace segue::serving
