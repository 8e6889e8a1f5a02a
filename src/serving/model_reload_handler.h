// POST /v1/admin/models/reload (an admin route: off unless [admin] token_file is configured, then only
// with the bearer token; serving/admin_auth.h): makes the model components check their models folders
// now instead of at their next interval, and answers 200 with what each serves afterwards:
//   {"disengagement": {"serving": "v0003"|null, "swapped": bool, "refused": "v0004: why"|null},
//    "retrieval":     {"serving": "two_tower/v0002"|"blend"|..., "swapped": bool, "refused": ...|null}}
// "refused" says why the newest bundle in the folder is not the one serving (it failed its checks).
// The check runs on the maintenance thread (ServerHost::RunOnMaintenance), like the periodic checks, so
// they never race; the answer comes when it is done (after a running task; not before sessions are
// restored).
// Thread-safety: the handler is called from HTTP threads; everything it touches runs on the maintenance
// thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "serving/model_check.h"
#include "serving/retrieval_model_component.h"
#include "serving/scoring_component.h"
#include "serving/server_host.h"

namespace segue::serving {

class ModelReloadHandler : public ServerComponent {
 public:
  // Both components outlive this one.
  ModelReloadHandler(ScoringComponent* scoring, RetrievalModelComponent* retrieval)
      : scoring_(scoring), retrieval_(retrieval) {}

  void Register(ServerHost& host) override;

  // Both checks; call on the maintenance thread.
  nlohmann::json CheckAll();

 private:
  ScoringComponent* scoring_;
  RetrievalModelComponent* retrieval_;
};

}  // namespace segue::serving
