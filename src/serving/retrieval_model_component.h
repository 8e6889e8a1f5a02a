// The recommender's model side in the server: which retriever its model stage uses ([recommend]
// retriever), and for "two_tower" the retrieval bundle (models/retrieval_bundle.h): the newest version
// under retrieval_models_dir is loaded at start-up (its HNSW index read from the bundle, not rebuilt) and
// re-checked every retrieval_models_check_interval_s, a newer valid bundle being swapped in while
// serving (requests in flight keep the model they started with). A bundle that fails its checks is
// logged and the current model kept; until a first one loads, the blend baseline serves, so the server
// always recommends.
// Thread-safety: Start during set-up; the reload task runs on the maintenance thread.
#pragma once

#include <string>

#include "catalog/catalog.h"
#include "recommend/recommend_config.h"
#include "recommend/recommender.h"
#include "recommend/retrieval_baselines.h"
#include "serving/server_host.h"

namespace segue::serving {

class RetrievalModelComponent : public ServerComponent {
 public:
  // All pointers outlive this component.
  RetrievalModelComponent(const recommend::RecommendConfig& config, Catalog* catalog,
                          const recommend::RetrievalBaselines* baselines, recommend::Recommender* recommender)
      : config_(config), catalog_(catalog), baselines_(baselines), recommender_(recommender) {}

  // Sets the recommender's model: the configured baseline, or the newest two-tower bundle.
  void Start();

  // The reload task, for "two_tower".
  void Register(ServerHost& host) override;

 private:
  void UseBaseline(const recommend::Retriever& retriever);
  void LoadNewestTwoTower();

  recommend::RecommendConfig config_;
  Catalog* catalog_;
  const recommend::RetrievalBaselines* baselines_;
  recommend::Recommender* recommender_;
  std::string loaded_version_;  // the two-tower bundle serving; "" while none (maintenance thread after Start)
};

}  // namespace segue::serving
