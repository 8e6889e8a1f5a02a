// XgboostRanker: the learned ranking stage (issue #10 §6). It scores every candidate of a request with a
// small XGBoost model (binary:logistic, "will the listener engage with this track if it is played
// next") on the listener × track features of ranker_features.h, all candidates in one predict call.
// Trained by `segue train ranker` (ranker_training.h), stored as a ranker bundle (ranker_bundle.h).
// Thread-safety: Score is safe concurrently (XgbBooster::Predict is; features are per call). The
// Catalog must outlive the ranker.
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "models/xgb_booster.h"
#include "recommend/ranker.h"

namespace segue::recommend {

class XgboostRanker : public Ranker {
 public:
  XgboostRanker(const Catalog* catalog, XgbBooster booster) : catalog_(*catalog), booster_(std::move(booster)) {}

  std::string_view name() const override { return "xgboost"; }

  Status Score(const RetrievalQuery& query, std::span<const Candidate> candidates,
               std::vector<float>* scores) const override;

 private:
  const Catalog& catalog_;
  XgbBooster booster_;
};

}  // namespace segue::recommend
