#include "serving/session_handler.h"

#include "session/session_json.h"
#include "session/session_tracker.h"

namespace segue::serving {

void SessionHandler::Handle(HttpRequest, PathParams params, ResponseCallback done) const {
  const std::string& user = params.at(0);
  std::string body;
  // Rendered under the shard lock (Visit) so the session is not copied.
  bool found = tracker_->Visit(user, [&](const SessionState& s) { body = SessionToJson(s, tracker_->catalog()); });
  if (!found) return done(JsonError(404, "no active session for user '" + user + "'"));
  done(JsonResponse(200, std::move(body)));
}

}  // namespace segue::serving
