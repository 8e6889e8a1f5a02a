// Recommender: the recommendation pipeline for one listener, transport-free (the HTTP mapping is
// serving/recommendations_handler.h; proactive push calls it too).
//
//   session (+ history) → fresh cache entry for this session version? → else the model stage: retriever
//   top-N (default 200) → ranker → [cache] ; then post-filters (explicit, freshness, diversity) → top K.
//
// Deadline: the model stage runs on a small bounded worker pool (model_worker_pool.h) and a deadline
// timer (deadline_timer.h) fires deadline_ms (default 50 ms) after the request started; whichever comes
// first answers. No thread waits for the model: RecommendAsync returns at once and its callback runs on
// the pool's thread (model answer) or the timer's (fallback), so an HTTP I/O thread is never held by a
// slow model. A late model result is not lost: it still fills the cache.
// Fallbacks, in order, when there is no model, the deadline passes, the retriever fails, the pool is
// full, or the filters leave nothing: the listener's cached list even if stale → popular within the
// session's genres → globally popular. A listener the server knows nothing about (no session, no
// history) takes the cold-start path: popular at this hour of day, then globally popular: never an
// error, at worst an empty list.
//
// Every result says which path served it: source "model", "cache" (fresh for this session version) or
// "fallback:<why>" with why one of no_model, timeout, retriever_error, overloaded, empty, cold_start;
// served_by names the list actually used ("two_tower", "cache", "genre_popular", ..., "none").
// Metrics: segue_recommendations_total{source,served_by}, segue_recommendation_duration_seconds,
// segue_recommendation_stage_seconds{stage="retrieval"|"ranking"} (the model stage's parts).
// Every result is recorded as an impression (impressions/impression_sink.h) when a sink is given.
//
// Thread-safety: RecommendAsync, Recommend, Prefetch and SetModel are safe concurrently. Models are
// swapped whole (SetModel); a request keeps the ModelSet it started with. Destroy the recommender only
// after its callers stopped: requests still in flight then are dropped without an answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/metrics.h"
#include "impressions/impression_sink.h"
#include "preferences/preference_store.h"
#include "recommend/deadline_timer.h"
#include "recommend/diversity_filter.h"
#include "recommend/embedding_lookup.h"
#include "recommend/explicit_filter.h"
#include "recommend/freshness_filter.h"
#include "recommend/model_worker_pool.h"
#include "recommend/ranker.h"
#include "recommend/recommend_config.h"
#include "recommend/recommendation_cache.h"
#include "recommend/retriever.h"

namespace segue::recommend {

// The swappable model side. Any member may be null: no retriever = "no model" (fallbacks serve); no
// ranker = pass-through; no embeddings = MMR falls back to the artist cap.
struct ModelSet {
  std::shared_ptr<const Retriever> retriever;
  std::shared_ptr<const Ranker> ranker;
  std::shared_ptr<const EmbeddingLookup> embeddings;
  std::vector<std::pair<std::string, std::string>> versions;  // component -> version, shown in responses
};

struct RecommenderDeps {
  const Catalog* catalog = nullptr;                 // required; outlives the recommender
  std::shared_ptr<const Retriever> genre_popular;   // popular within the session's genres; may be null
  std::shared_ptr<const Retriever> global_popular;  // may be null
  std::shared_ptr<const Retriever> hour_popular;    // popular at the query's hour: cold start; may be null
  // null: everyone has the defaults; a store that cannot be read counts as {"explicit": false}
  const preferences::PreferenceStore* preferences = nullptr;
  impressions::ImpressionSink* impressions = nullptr;         // null: impressions are not recorded
  metrics::Registry* registry = nullptr;                      // null: the default registry
};

struct RecommendRequest {
  std::string user_id;
  const SessionState* session = nullptr;    // null: no live session
  const ListenerHistory* history = nullptr;  // null or empty: none known
  int64_t now_ms = 0;
  size_t k = 10;
  bool explain = false;  // fill Recommendation::reasons
  FilterOptions filters;
  std::optional<float> trigger_score;  // set by proactive push; none for pulls
  // The listener's event time the impression is stamped with (Impression::event_ts_ms): push sets the
  // trigger's ts; when absent, the session's latest event time, or the wall clock without a session.
  std::optional<int64_t> event_ts_ms;
  // false for a request whose items nobody sees (an HTTP HEAD): it must not count as an impression, or
  // the feedback collector would learn from recommendations never shown.
  bool record_impression = true;
};

struct Recommendation {
  std::string rec_id;
  std::vector<RankedTrack> items;
  std::vector<std::string> track_ids;               // parallel to items
  std::vector<std::vector<std::string_view>> reasons;  // parallel to items when explain, else empty
  std::string source;
  std::string served_by;
  std::vector<std::pair<std::string, std::string>> model_versions;
  double took_ms = 0;
};

class Recommender {
 public:
  Recommender(RecommendConfig config, RecommenderDeps deps);

  void SetModel(ModelSet model);

  using Callback = std::function<void(Recommendation)>;

  // Answers through `done` exactly once, on this thread (cache, fallbacks) or on the pool's or timer's
  // thread (model stage). The request's session and history are copied before it returns.
  void RecommendAsync(const RecommendRequest& request, Callback done);

  // The same, waiting for the answer (for callers on their own threads: push, tests, benchmarks).
  Recommendation Recommend(const RecommendRequest& request);

  // Fills the cache ahead of time for this session version (when a trigger fires): queues the model
  // stage and returns at once; false when there is no model or the pool is full.
  bool Prefetch(const std::string& user_id, const SessionState& session, const ListenerHistory* history,
                int64_t now_ms);

  const RecommendConfig& config() const { return config_; }
  RecommendationCache& cache() { return cache_; }

 private:
  struct Served;
  struct Job;

  ModelSet CurrentModel() const;
  preferences::Preferences PreferencesOf(const std::string& user_id) const;
  std::shared_ptr<Job> MakeJob(const RecommendRequest& request, Callback done) const;
  bool StartModelStage(const std::shared_ptr<Job>& job);  // false when the pool is full
  void RunModelStage(Job& job);
  Served FromFallbacks(std::string why, const Job& job);
  std::vector<RankedTrack> Filtered(const Job& job, std::vector<RankedTrack> items) const;
  void Answer(Job& job, Served served);

  const RecommendConfig config_;
  const RecommenderDeps deps_;
  const ExplicitFilter explicit_filter_;
  const FreshnessFilter freshness_filter_;
  const DiversityFilter diversity_filter_;
  metrics::CounterFamily& served_;
  metrics::Histogram& duration_;
  metrics::HistogramFamily& stage_seconds_;
  metrics::Histogram& retrieval_seconds_;
  metrics::Histogram& ranking_seconds_;
  RecommendationCache cache_;

  mutable std::mutex model_mu_;
  ModelSet model_;

  // Last: destroyed first, so no task or timer callback outlives the members it uses.
  ModelWorkerPool pool_;
  DeadlineTimer timer_;
};

}  // namespace segue::recommend
