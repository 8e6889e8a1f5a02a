#include "recommend/xgboost_ranker.h"

#include "recommend/ranker_features.h"

namespace segue::recommend {

Status XgboostRanker::Score(const RetrievalQuery& query, std::span<const Candidate> candidates,
                            std::vector<float>* scores) const {
  std::vector<float> rows;
  RankerFeatures(catalog_, query, candidates, &rows);
  return booster_.Predict({rows.data(), candidates.size(), kRankerFeatureCount}, scores);
}

}  // namespace segue::recommend
