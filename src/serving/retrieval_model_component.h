// The recommender's model side in the server: which retriever its model stage uses ([recommend]
// retriever), and for "two_tower" the retrieval bundle (models/retrieval_bundle.h): the newest version
// under retrieval_models_dir is loaded at start-up (its HNSW index read from the bundle, not rebuilt) and
// re-checked every retrieval_models_check_interval_s, a newer valid bundle being swapped in while
// serving (requests in flight keep the model they started with). A bundle that fails its checks is
// logged, counted (segue_retrieval_models_refused_total) and not tried again, and the current model kept;
// until a first one loads, the blend baseline serves, so the server always recommends.
// New tracks: track_indexer() (recommend/track_indexer.h), the observer of POST /v1/tracks, embeds tracks
// added or changed while serving into the served bundle's index; a bundle is served only once the
// catalog tracks it lacks are in its index (at start-up, and before each swap, on the thread loading it).
// The ranking stage ([recommend] ranker): "xgboost" loads the ranker bundle of ranker_dir once, at Start,
// and every model set uses it; a bundle that does not load is Start's error (the server does not start
// with a ranker other than the one configured). "pass_through" leaves the retriever's order.
// CheckModels() is the same check on demand (POST /v1/admin/models/reload).
// Thread-safety: Start during set-up; the reload task and CheckModels run on the maintenance thread only
// (ServerHost::RunOnMaintenance), so two checks never overlap; track_indexer() is safe to use from any
// thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "recommend/recommend_config.h"
#include "recommend/recommender.h"
#include "recommend/retrieval_baselines.h"
#include "recommend/track_indexer.h"
#include "serving/model_check.h"
#include "serving/server_host.h"

namespace segue::serving {

class RetrievalModelComponent : public ServerComponent {
 public:
  // All pointers outlive this component.
  RetrievalModelComponent(const recommend::RecommendConfig& config, Catalog* catalog,
                          const recommend::RetrievalBaselines* baselines, recommend::Recommender* recommender)
      : config_(config), catalog_(catalog), baselines_(baselines), recommender_(recommender),
        indexer_(catalog, &LogIndexError) {}

  // Loads the configured ranker, then sets the recommender's model: the configured baseline, or the
  // newest two-tower bundle. An error (the ranker bundle) leaves the recommender without a model.
  Status Start();

  // The reload task, for "two_tower", and the indexer's metrics.
  void Register(ServerHost& host) override;

  // Loads the newest two-tower bundle when it is new (for "two_tower"); what serves afterwards.
  ModelCheck CheckModels();

  // Where POST /v1/tracks reports added or changed tracks (ignored until a two-tower bundle serves).
  recommend::TrackIndexer& track_indexer() { return indexer_; }

 private:
  Status LoadRanker();
  void UseBaseline(const recommend::Retriever& retriever);
  void LoadNewestTwoTower();
  void Refuse(const std::string& version, std::string reason);
  static void LogIndexError(const Status& error);
  void SetModel(std::shared_ptr<const recommend::Retriever> retriever, std::string retriever_version);

  recommend::RecommendConfig config_;
  Catalog* catalog_;
  const recommend::RetrievalBaselines* baselines_;
  recommend::Recommender* recommender_;
  std::shared_ptr<const recommend::Ranker> ranker_;  // null: pass-through
  std::string ranker_version_;
  // A refused version is not tried again (a bundle is immutable once published): the next check waits for
  // a newer one instead of reloading it from disk every interval.
  std::string refused_version_;
  std::string refused_reason_;  // why refused_version_ was refused
  std::atomic<uint64_t> refused_{0};  // read by /metrics
  std::string loaded_version_;  // the two-tower bundle serving; "" while none (maintenance thread after Start)
  std::string serving_;         // the retriever version serving (as in the model set's versions)
  recommend::TrackIndexer indexer_;  // last: its thread stops first
};

}  // namespace segue::serving
