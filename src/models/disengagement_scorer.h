// DisengagementScorer: the online service the server calls at every decision point. Plain C++ types
// only (no LibTorch): the model runs in the DisengagementPredictor (IncrementalEncoder and coefficients).
//
// Contract:
//  - Load(models_dir) loads the newest bundle (disengagement_bundle.h). A missing, damaged or
//    incompatible bundle is an error naming the file and what is wrong; the caller decides to serve
//    without scoring. Reload() swaps in the newest bundle while serving: on failure the current model
//    stays, on success later scores use the new one (each listener's cache restarts lazily).
//  - OnDecisionPoint(event, state, catalog) computes the features of `state` (the SAME code as
//    training), scores them incrementally with the listener's cached encoder state, applies the
//    trigger policy with the bundle's threshold, and remembers the listener's latest score and trigger.
//    IsDecisionPoint() says which tracker outcomes are decision points (labels.h IsDecisionEvent).
//  - Memory is bounded: at most `max_listeners` listeners are remembered (least recently scored are
//    dropped: their next score recomputes the window, their trigger state restarts armed); Forget()
//    drops one (a session evicted by the tracker).
//  - Metrics (when a registry is given): score histogram, scored events, triggers, cooldown-suppressed
//    crossings, cache hits/restarts, scoring latency, remembered listeners, model info, and the score drift
//    (segue_score_psi: the recent scores against the served bundle's reference histogram, score_drift.h;
//    a model swap restarts the window).
// The model is whatever kind the bundle says (transformer, logistic, stacked: disengagement_predictor.h).
// Thread-safety: every method is safe to call concurrently; listeners are sharded, each shard has a
// mutex held while one of its listeners is scored (a few microseconds).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "common/metrics.h"
#include "common/status.h"
#include "events/event.h"
#include "features/feature_spec.h"
#include "models/score_drift.h"
#include "models/trigger_policy.h"
#include "session/engagement_counts.h"
#include "session/session_state.h"
#include "session/session_tracker.h"

namespace segue {

struct ScorerOptions {
  size_t max_listeners = 20'000;       // cached listeners (each ~8.7 KB with the default architecture)
  float hysteresis = 0.1f;             // TriggerOptions; the threshold comes from the bundle
  int64_t cooldown_ms = 10 * 60 * 1000;
  metrics::Registry* registry = nullptr;          // optional
  std::function<void(const Trigger&)> on_trigger;  // optional sink (the recommender, later); called
                                                   // outside the scorer's locks
};

struct ScoreResult {
  float score = 0;
  TriggerDecision decision = TriggerDecision::kNone;
};

// What GET /v1/users/{id}/session shows.
struct ListenerScoreView {
  float score = 0;
  int64_t ts_ms = 0;  // event time of the decision point it was computed at
  std::string model_version;
  std::optional<Trigger> last_trigger;
};

struct ScorerStats {
  uint64_t scored = 0;
  uint64_t triggers = 0;
  uint64_t suppressed = 0;
  uint64_t positions_computed = 0;  // encoder positions (≈ scored when caching works)
  size_t listeners = 0;
};

class DisengagementScorer {
 public:
  static Result<std::unique_ptr<DisengagementScorer>> Load(const std::string& models_dir, ScorerOptions options = {});
  ~DisengagementScorer();
  DisengagementScorer(const DisengagementScorer&) = delete;
  DisengagementScorer& operator=(const DisengagementScorer&) = delete;

  // IsDecisionEvent (labels.h, the rule training uses) applied to what the tracker saw: an applied event
  // that found a play ongoing.
  static bool IsDecisionPoint(const Event& event, const ApplyOutcome& outcome);

  ScoreResult OnDecisionPoint(const Event& event, const SessionState& state, const Catalog& catalog);
  // The same with features the caller computed (e.g. under the tracker's lock, ComputeSessionFeatures);
  // `event_id` (the decision point's event) goes into a trigger it fires.
  ScoreResult OnFeatures(std::string_view user_id, int64_t ts_ms, const FeatureVector& features,
                         std::string_view event_id = {});
  std::optional<ListenerScoreView> Get(std::string_view user_id) const;
  void Forget(std::string_view user_id);

  // Loads the newest bundle under the models folder given to Load and swaps it in.
  Status Reload();

  std::string model_version() const;
  float threshold() const;
  // The served bundle's training-data skip and exit counts (engagement drift's baseline); nullopt when the
  // bundle has none.
  std::optional<EngagementCounts> training_engagement() const;
  ScorerStats stats() const;

 private:
  struct Model;
  struct Shard;
  struct Metrics;
  DisengagementScorer(std::string models_dir, ScorerOptions options);
  static Result<std::shared_ptr<const Model>> LoadModel(const std::string& models_dir, const ScorerOptions& options);
  std::shared_ptr<const Model> model() const;

  std::string models_dir_;
  ScorerOptions options_;
  mutable std::mutex model_mu_;
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Shard[]> shards_;
  ScoreDrift drift_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace segue
