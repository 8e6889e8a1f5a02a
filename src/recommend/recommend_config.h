// RecommendConfig: everything the recommendation path is configured with, and its defaults: the server
// config embeds it as its [recommend] table (serving/server_config.h, docs/operations.md). Plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "recommend/filter_options.h"
#include "recommend/history_store.h"
#include "recommend/retrieval_baselines.h"

namespace segue::recommend {

struct RecommendConfig {
  size_t candidates = 200;      // top-N asked of the retriever, then ranked and filtered
  uint32_t default_k = 10;      // k when a request gives none
  uint32_t max_k = 100;         // larger k is a 400
  int64_t deadline_ms = 50;     // the model stage's budget; past it the fallbacks serve
  uint32_t model_workers = 2;   // threads running the model stage (ModelWorkerPool)
  size_t model_queue = 64;      // model-stage tasks waiting; beyond it requests fall back at once
  size_t cache_entries = 100'000;
  size_t cache_bytes = size_t{256} << 20;
  size_t impressions_queue = 8192;  // impressions waiting for the store's writer; beyond it dropped
  FilterOptions filters;            // server defaults; requests override per query parameter
  HistoryStoreOptions history;      // the listeners' histories the pipeline keeps (own_history, freshness)
  RetrievalBaselineOptions baselines;  // the online popularity, session-kNN and blend
  // The model stage's retriever: "blend" (session-kNN + the listener's own history + a little popularity,
  // fitted online from the pipeline; the best on real listening data, docs/models.md), "session_knn", or
  // "two_tower" (the newest retrieval bundle under retrieval_models_dir; the best on simulated data).
  std::string retriever = "blend";
  std::string retrieval_models_dir;  // folder of retrieval bundle versions (segue train retrieval --out DIR/vN)
  int64_t retrieval_models_check_interval_s = 30;  // newer bundles are swapped in while serving
  // The ranking stage: "xgboost" (the ranker bundle in ranker_dir, segue train ranker; a missing or
  // corrupt bundle stops the server at start), "pass_through" (the retriever's order), or "auto" (the
  // default): xgboost when ranker_dir is set and the retriever is the blend, the retriever its features
  // (candidate rank and score) were trained on; else pass_through. xgboost beats pass-through in
  // segue eval retrieval on the simulator and on the real histories (docs/models.md, "Re-ranker"), but
  // it needs a bundle trained on the deployment's own log, which a default cannot name.
  std::string ranker = "auto";
  std::string ranker_dir;

  // The ranker the server runs: ranker with "auto" resolved.
  std::string EffectiveRanker() const {
    if (ranker != "auto") return ranker;
    return !ranker_dir.empty() && retriever == "blend" ? "xgboost" : "pass_through";
  }
};

}  // namespace segue::recommend
