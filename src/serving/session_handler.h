// GET /v1/users/{id}/session: the listener's current session as JSON (session/session_json.h) with their
// view ("disengagement_score", "last_trigger": listener_state.h) appended, or 404 {"error": ...} when no
// session is held for that listener (never seen, or evicted after the session timeout). Where the session
// comes from is the ListenerState's business (this process's tracker, or on a bus node the online store
// for partitions another node owns); 503 with Retry-After when that store cannot be read.
// Thread-safety: Handle() is safe to call concurrently.
#pragma once

#include "serving/http_message.h"
#include "serving/listener_state.h"
#include "serving/router.h"
#include "serving/server_host.h"

namespace segue::serving {

class SessionHandler : public ServerComponent {
 public:
  // `state` outlives this.
  explicit SessionHandler(const ListenerState* state) : state_(state) {}
  // GET /v1/users/{id}/session, once sessions are restored, reflecting every event acknowledged before
  // the request (read-your-writes; on a bus: as of the owner's latest applied or committed state).
  void Register(ServerHost& host) override;
  void Handle(HttpRequest request, PathParams params, ResponseCallback done) const;

 private:
  const ListenerState* state_;
};

// 503 with Retry-After for a listener store that cannot be read.
HttpResponse StoreUnavailable(const Status& status);

}  // namespace segue::serving
