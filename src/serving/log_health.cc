#include "serving/log_health.h"

#include <string>

#include "log/event_appender.h"

namespace segue::serving {

HttpResponse InsufficientStorage(std::string_view message) {
  HttpResponse r = JsonError(507, message);
  r.headers.emplace_back("Retry-After", kNoSpaceRetryAfter);
  return r;
}

HttpResponse ReadinessResponse(bool sessions_restored, const EventAppender& log) {
  if (!sessions_restored) return JsonError(503, "restoring sessions");
  if (Status health = log.health(); !health.ok()) {
    return JsonError(503, "the event log refuses writes: " + health.message());
  }
  return JsonResponse(200, "{\"status\":\"ready\"}");
}

}  // namespace segue::serving
