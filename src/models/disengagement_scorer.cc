#include "models/disengagement_scorer.h"

#include <chrono>
#include <cstdio>
#include <list>
#include <unordered_map>

#include "features/session_features.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_predictor.h"
#include "models/labels.h"

namespace segue {
namespace {

constexpr size_t kShards = 16;

// The window's bins as a histogram with the bins' upper edges as bounds (the last bin is +Inf's).
metrics::HistogramSnapshot WindowSnapshot(const ScoreWindow& w) {
  metrics::HistogramSnapshot s;
  for (int i = 1; i < kScoreHistogramBins; ++i) s.upper_bounds.push_back(i / static_cast<double>(kScoreHistogramBins));
  s.bucket_counts.assign(w.counts.begin(), w.counts.end());
  s.sum = w.sum;
  return s;
}

std::string TriggerReason(float score, float threshold, const std::string& version) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "score %.3f crossed threshold %.3f (model %s)", score, threshold, version.c_str());
  return buf;
}

}  // namespace

struct DisengagementScorer::Model {
  std::string version;
  float threshold = 0.5f;
  uint64_t generation = 0;
  std::shared_ptr<const DisengagementPredictor> predictor;
  TriggerPolicy policy{TriggerOptions{}};
  std::vector<uint64_t> reference_histogram;  // the bundle's validation scores; empty: none
  std::optional<EngagementCounts> training_engagement;
};

struct DisengagementScorer::Shard {
  struct Entry {
    EncoderCache cache;
    uint64_t generation = 0;
    TriggerState trigger_state;
    float score = 0;
    int64_t ts_ms = 0;
    std::string version;
    std::optional<Trigger> last_trigger;
    std::list<std::string>::iterator lru;  // position in `order` (most recent at the back)
  };
  mutable std::mutex mu;
  std::unordered_map<std::string, Entry> entries;
  std::list<std::string> order;
};

struct DisengagementScorer::Metrics {
  metrics::Histogram* score = nullptr;
  metrics::Histogram* latency = nullptr;
  metrics::Counter* scored = nullptr;
  metrics::Counter* triggers = nullptr;
  metrics::Counter* suppressed = nullptr;
  metrics::Counter* positions = nullptr;
  metrics::Gauge* listeners = nullptr;
  metrics::Gauge* threshold = nullptr;
  metrics::Counter* reloads = nullptr;
  metrics::Counter* reload_failures = nullptr;
  // Always kept (stats()), whether or not a registry is attached.
  std::atomic<uint64_t> n_scored{0}, n_triggers{0}, n_suppressed{0}, n_positions{0};
  std::atomic<size_t> n_listeners{0};
};

DisengagementScorer::DisengagementScorer(std::string models_dir, ScorerOptions options)
    : models_dir_(std::move(models_dir)),
      options_(std::move(options)),
      shards_(new Shard[kShards]),
      metrics_(std::make_unique<Metrics>()) {
  if (metrics::Registry* r = options_.registry) {
    std::vector<double> score_bounds;
    for (int i = 1; i < 20; ++i) score_bounds.push_back(i * 0.05);
    metrics_->score = &r->AddHistogram("segue_disengagement_score", "Disengagement probability per scored decision point",
                                       score_bounds);
    metrics_->latency = &r->AddHistogram("segue_disengagement_scoring_seconds",
                                         "Time to compute features' score and trigger per decision point",
                                         metrics::ExponentialBuckets(1e-6, 2, 14));
    metrics_->scored = &r->AddCounter("segue_disengagement_scored_total", "Decision points scored");
    metrics_->triggers = &r->AddCounter("segue_disengagement_triggers_total", "Disengagement triggers fired");
    metrics_->suppressed = &r->AddCounter("segue_disengagement_triggers_suppressed_total",
                                          "Threshold crossings swallowed by the per-listener cooldown");
    metrics_->positions = &r->AddCounter("segue_disengagement_encoder_positions_total",
                                         "Sequence positions the incremental encoder computed");
    metrics_->listeners = &r->AddGauge("segue_disengagement_listeners", "Listeners with cached scoring state");
    metrics_->threshold = &r->AddGauge("segue_disengagement_threshold", "Decision threshold of the loaded model");
    metrics_->reloads = &r->AddCounter("segue_disengagement_model_reloads_total", "Models swapped in while serving");
    metrics_->reload_failures = &r->AddCounter("segue_disengagement_model_reload_failures_total",
                                               "Reloads refused (bad bundle); the previous model kept serving");
    r->AddCallbackGauge("segue_score_psi",
                        "Population stability index of the recent scores' histogram against the served model's "
                        "reference (validation) histogram; NaN without a reference or with too few scores",
                        [this] { return drift_.Psi(); });
    r->AddCallbackHistogram("segue_score_window",
                            "Disengagement scores of the PSI's window (the most recent ones): it slides, so its "
                            "buckets go down as well as up; read values, do not rate() it",
                            [this] { return WindowSnapshot(drift_.window()); });
  }
}

DisengagementScorer::~DisengagementScorer() = default;

Result<std::shared_ptr<const DisengagementScorer::Model>> DisengagementScorer::LoadModel(const std::string& models_dir,
                                                                                       const ScorerOptions& options) {
  static std::atomic<uint64_t> generations{0};
  Result<std::string> dir = FindNewestBundle(models_dir);
  if (!dir.ok()) return dir.status();
  Result<ScoringBundle> loaded = LoadScoringBundle(*dir);
  if (!loaded.ok()) return loaded.status();
  TriggerOptions trigger{loaded->bundle.threshold, options.hysteresis, options.cooldown_ms};
  if (Status s = ValidateTriggerOptions(trigger); !s.ok()) return Status::InvalidArgument(*dir + ": " + s.message());
  auto model = std::make_shared<Model>();
  model->version = loaded->bundle.version;
  model->threshold = loaded->bundle.threshold;
  model->generation = ++generations;
  model->predictor = std::move(loaded->predictor);
  model->policy = TriggerPolicy(trigger);
  model->reference_histogram = std::move(loaded->bundle.score_histogram);
  model->training_engagement = loaded->bundle.training_engagement;
  return std::shared_ptr<const Model>(std::move(model));
}

Result<std::unique_ptr<DisengagementScorer>> DisengagementScorer::Load(const std::string& models_dir,
                                                                       ScorerOptions options) {
  if (options.max_listeners == 0) return Status::InvalidArgument("scorer: max_listeners must be positive");
  Result<std::shared_ptr<const Model>> model = LoadModel(models_dir, options);
  if (!model.ok()) return model.status();
  std::unique_ptr<DisengagementScorer> scorer(new DisengagementScorer(models_dir, std::move(options)));
  scorer->model_ = std::move(*model);
  scorer->drift_.SetReference(scorer->model_->reference_histogram);
  if (scorer->metrics_->threshold) scorer->metrics_->threshold->Set(scorer->model_->threshold);
  return scorer;
}

Status DisengagementScorer::Reload() {
  Result<std::shared_ptr<const Model>> model = LoadModel(models_dir_, options_);
  if (!model.ok()) {
    if (metrics_->reload_failures) metrics_->reload_failures->Inc();
    return model.status();
  }
  const float threshold = (*model)->threshold;
  drift_.SetReference((*model)->reference_histogram);
  {
    std::lock_guard lock(model_mu_);
    model_ = std::move(*model);
  }
  if (metrics_->reloads) metrics_->reloads->Inc();
  if (metrics_->threshold) metrics_->threshold->Set(threshold);
  return Status::Ok();
}

std::shared_ptr<const DisengagementScorer::Model> DisengagementScorer::model() const {
  std::lock_guard lock(model_mu_);
  return model_;
}

bool DisengagementScorer::IsDecisionPoint(const Event& event, const ApplyOutcome& outcome) {
  return outcome.applied && !outcome.late && IsDecisionEvent(event.type, outcome.play_was_ongoing);
}

ScoreResult DisengagementScorer::OnDecisionPoint(const Event& event, const SessionState& state,
                                                 const Catalog& catalog) {
  FeatureVector features;
  ComputeSessionFeatures(state, catalog, &features);
  return OnFeatures(event.user_id, event.ts_ms, features, event.event_id);
}

ScoreResult DisengagementScorer::OnFeatures(std::string_view user_id, int64_t ts_ms, const FeatureVector& features,
                                            std::string_view event_id) {
  const auto t0 = std::chrono::steady_clock::now();
  std::shared_ptr<const Model> m = model();
  Shard& shard = shards_[std::hash<std::string_view>{}(user_id) % kShards];
  const size_t capacity = std::max<size_t>(1, options_.max_listeners / kShards);
  ScoreResult result;
  std::optional<Trigger> fired;
  uint64_t positions = 0;
  int listeners_delta = 0;
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.entries.find(std::string(user_id));
    if (it == shard.entries.end()) {
      if (shard.entries.size() >= capacity) {
        shard.entries.erase(shard.order.front());
        shard.order.pop_front();
        --listeners_delta;
      }
      it = shard.entries.emplace(std::string(user_id), Shard::Entry{}).first;
      it->second.lru = shard.order.insert(shard.order.end(), it->first);
      ++listeners_delta;
    } else {
      shard.order.splice(shard.order.end(), shard.order, it->second.lru);
    }
    Shard::Entry& e = it->second;
    if (e.generation != m->generation) {  // new listener or a swapped model: the cache restarts
      e.cache = m->predictor->NewCache();
      e.generation = m->generation;
    }
    const uint64_t before = e.cache.positions_computed;
    result.score = m->predictor->Score(features, e.cache);
    positions = e.cache.positions_computed - before;
    result.decision = m->policy.Observe(e.trigger_state, result.score, ts_ms);
    e.score = result.score;
    e.ts_ms = ts_ms;
    e.version = m->version;
    if (result.decision == TriggerDecision::kFire) {
      e.last_trigger = Trigger{std::string(user_id), ts_ms, std::string(event_id), result.score, m->threshold,
                               TriggerReason(result.score, m->threshold, m->version)};
      fired = e.last_trigger;
    }
  }
  Metrics& mx = *metrics_;
  mx.n_scored.fetch_add(1, std::memory_order_relaxed);
  mx.n_positions.fetch_add(positions, std::memory_order_relaxed);
  if (listeners_delta != 0) {
    mx.n_listeners.fetch_add(static_cast<size_t>(static_cast<ptrdiff_t>(listeners_delta)), std::memory_order_relaxed);
  }
  if (result.decision == TriggerDecision::kFire) mx.n_triggers.fetch_add(1, std::memory_order_relaxed);
  if (result.decision == TriggerDecision::kSuppressedByCooldown) mx.n_suppressed.fetch_add(1, std::memory_order_relaxed);
  if (mx.score) {
    mx.score->Observe(result.score);
    drift_.Observe(result.score);
    mx.scored->Inc();
    mx.positions->Inc(positions);
    mx.listeners->Set(static_cast<double>(mx.n_listeners.load(std::memory_order_relaxed)));
    if (result.decision == TriggerDecision::kFire) mx.triggers->Inc();
    if (result.decision == TriggerDecision::kSuppressedByCooldown) mx.suppressed->Inc();
    mx.latency->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (fired && options_.on_trigger) options_.on_trigger(*fired);
  return result;
}

std::optional<ListenerScoreView> DisengagementScorer::Get(std::string_view user_id) const {
  const Shard& shard = shards_[std::hash<std::string_view>{}(user_id) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(std::string(user_id));
  if (it == shard.entries.end()) return std::nullopt;
  return ListenerScoreView{it->second.score, it->second.ts_ms, it->second.version, it->second.last_trigger};
}

void DisengagementScorer::Forget(std::string_view user_id) {
  Shard& shard = shards_[std::hash<std::string_view>{}(user_id) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(std::string(user_id));
  if (it == shard.entries.end()) return;
  shard.order.erase(it->second.lru);
  shard.entries.erase(it);
  metrics_->n_listeners.fetch_sub(1, std::memory_order_relaxed);
}

std::string DisengagementScorer::model_version() const { return model()->version; }
float DisengagementScorer::threshold() const { return model()->threshold; }
std::optional<EngagementCounts> DisengagementScorer::training_engagement() const {
  return model()->training_engagement;
}

ScorerStats DisengagementScorer::stats() const {
  return {metrics_->n_scored.load(), metrics_->n_triggers.load(), metrics_->n_suppressed.load(),
          metrics_->n_positions.load(), metrics_->n_listeners.load()};
}

}  // namespace segue
