// The server's side of disengagement scoring: loads the newest model bundle at start-up (without a usable
// one the server runs on without scoring, and says why) and checks every models_check_interval_s for a
// newer bundle, swapping it in while serving; a bundle that fails its checks is logged and the current
// model kept.
// Thread-safety: scorer() is stable after construction (null or one object for the process lifetime; the
// scorer swaps models internally); the reload task runs on the maintenance thread.
#pragma once

#include <memory>

#include "models/disengagement_scorer.h"
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

 private:
  void ReloadIfNewer();

  ScoringConfig config_;
  std::unique_ptr<DisengagementScorer> scorer_;
};

}  // namespace segue::serving
