// The server's side of disengagement scoring: loads the newest model bundle at start-up (without a usable
// one the server runs on without scoring, and says why) and checks every models_check_interval_s for a
// newer bundle, swapping it in while serving; a bundle that fails its checks is logged and the current
// model kept. CheckModels() is the same check on demand (POST /v1/admin/models/reload).
// Thread-safety: scorer() is stable after construction (null or one object for the process lifetime; the
// scorer swaps models internally); CheckModels runs on the maintenance thread only (the periodic task and
// ServerHost::RunOnMaintenance), so two checks never overlap.
#pragma once

#include <memory>

#include "models/disengagement_scorer.h"
#include "serving/model_check.h"
#include "serving/server_config.h"
#include "serving/server_host.h"

namespace segue::serving {

class ScoringComponent : public ServerComponent {
 public:
  // The scorer reports its metrics into `registry`; options.scorer.on_trigger is kept.
  ScoringComponent(const ScoringConfig& config, metrics::Registry& registry);

  DisengagementScorer* scorer() const { return scorer_.get(); }

  // The model-reload task (when a model is loaded).
  void Register(ServerHost& host) override;

  // Swaps in the newest bundle when it is newer than the one serving; without a model loaded at start-up
  // there is nothing to swap into (the server scores nothing until restarted).
  ModelCheck CheckModels();

 private:
  ScoringConfig config_;
  std::unique_ptr<DisengagementScorer> scorer_;
};

}  // namespace segue::serving
