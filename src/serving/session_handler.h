// GET /v1/users/{id}/session: the listener's current session as JSON (session/session_json.h), or 404
// {"error": ...} when the tracker holds no session for that listener (never seen, or evicted after the
// session timeout). On a bus node (node_component.h), a listener whose partition another node processes is
// read from the online store (as of the owner's last commit). Thread-safety: Handle() is safe to call
// concurrently.
#pragma once

#include <string>

#include "common/status.h"
#include "serving/http_message.h"
#include "serving/router.h"
#include "serving/server_host.h"

namespace segue {
class DisengagementScorer;
class SessionTracker;
}

namespace segue::serving {

class NodeComponent;

class SessionHandler : public ServerComponent {
 public:
  // `scorer` may be null (no model loaded): disengagement_score and last_trigger are then null. `node`
  // is null without a bus (the tracker holds every listener).
  explicit SessionHandler(const SessionTracker* tracker, const DisengagementScorer* scorer = nullptr,
                          const NodeComponent* node = nullptr)
      : tracker_(tracker), scorer_(scorer), node_(node) {}
  // GET /v1/users/{id}/session, once sessions are restored, reflecting every event acknowledged before
  // the request (read-your-writes; on a bus: as of the owner's latest applied or committed state).
  void Register(ServerHost& host) override;
  void Handle(HttpRequest request, PathParams params, ResponseCallback done) const;

 private:
  // The listener's session JSON from the node's online store; empty when none is stored.
  Result<std::string> StoredSessionJson(const std::string& user) const;

  const SessionTracker* tracker_;
  const DisengagementScorer* scorer_;
  const NodeComponent* node_;
};

}  // namespace segue::serving
