// GET /v1/users/{id}/session: the listener's current session as JSON (session/session_json.h), or 404
// {"error": ...} when the tracker holds no session for that listener (never seen, or evicted after the
// session timeout). Thread-safety: Handle() is safe to call concurrently.
#pragma once

#include "serving/http_message.h"
#include "serving/router.h"
#include "serving/server_host.h"

namespace segue {
class DisengagementScorer;
class SessionTracker;
}

namespace segue::serving {

class SessionHandler : public ServerComponent {
 public:
  // `scorer` may be null (no model loaded): disengagement_score and last_trigger are then null.
  explicit SessionHandler(const SessionTracker* tracker, const DisengagementScorer* scorer = nullptr)
      : tracker_(tracker), scorer_(scorer) {}
  // GET /v1/users/{id}/session, once sessions are restored, reflecting every event acknowledged before
  // the request (read-your-writes).
  void Register(ServerHost& host) override;
  void Handle(HttpRequest request, PathParams params, ResponseCallback done) const;

 private:
  const SessionTracker* tracker_;
  const DisengagementScorer* scorer_;
};

}  // namespace segue::serving
