// The re-ranker's training data and fit (`segue train ranker`, docs/models.md "Re-ranker").
//
// Examples (BuildRankerExamples): the listener histories are replayed as `segue eval retrieval` does
// (ForEachPlayQuery, retrieval_eval.h). The served retriever must have been fitted on the plays before
// fit_fraction of each listener's time (ReplayTrainingPart); every play starting in [fit_fraction,
// train_fraction) is then one query: the served retriever's top `candidates` for what the server had
// when the play started. When the played track is among them it gives one example, label 1 when the
// play was engaged (features/engagement.h) and 0 when it was skipped or replaced by another play
// before 30 s (exits and time-outs are no verdict on the track and are left out); `negatives`
// candidates the listener did not play there are sampled as extra 0s. Features are RankerFeatures of
// the whole list, as serving computes them. With train_fraction equal to the evaluation's, no example
// comes from (or depends on an event in) the evaluation's test part.
// Feedback (options.outcomes, models/recommendation_outcomes.h): a play example whose label an outcome of
// the feedback collector confirms (an engaged play the collector judged listened or completed; a skipped
// play it judged skipped: the listener turned down a recommendation) is counted twice in the fit (its row is
// pushed twice, XgbBooster has no weights; held-out examples once, so the ROC-AUC counts each play once),
// the rule of the two-tower pairs (models/retrieval_pairs.h). Without outcomes, every play counts the same.
// Validation: listeners with Fnv1a64(user) % holdout_modulus == 0 are held out of the fit; their
// examples give the ROC-AUC in metrics.
// Thread-safety: reentrant; the retriever is called from the calling thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "common/status.h"
#include "models/recommendation_outcomes.h"
#include "models/xgb_booster.h"
#include "recommend/retrieval_eval.h"
#include "recommend/retriever.h"

namespace segue::recommend {

struct RankerTrainingOptions {
  RetrievalEvalOptions replay;  // tracker, history bound; train_fraction is the examples' window end
  double fit_fraction = 0.6;    // the served retriever saw plays before this; examples start here
  size_t candidates = 200;      // the recommender's top-N (RecommendConfig::candidates)
  size_t negatives = 4;         // unplayed candidates per query sampled as extra negatives
  uint32_t holdout_modulus = 5;
  uint64_t seed = 1;
  XgbParams params{.booster = "gbtree", .rounds = 100, .max_depth = 4, .eta = 0.1, .lambda = 1.0,
                   .subsample = 0.8, .balance = false, .threads = 1, .seed = 7};
  const RecommendationOutcomes* outcomes = nullptr;  // feedback labels (see above); may be null
};

struct RankerExamples {
  std::vector<float> rows;  // kRankerFeatureCount per example
  std::vector<uint8_t> labels;
  std::vector<uint8_t> held_out;  // 1 for examples of validation listeners
  size_t listeners = 0;
  size_t queries = 0;          // plays with a verdict (engaged, skipped or replaced) in the window
  size_t retrieved = 0;        // of them, the played track among the candidates
  size_t played_positives = 0;
  size_t played_negatives = 0;
  size_t sampled_negatives = 0;
  size_t outcome_positives = 0;  // fit examples counted twice: engaged plays the feedback confirmed
  size_t outcome_negatives = 0;  // fit examples counted twice: skipped recommendations

  size_t size() const { return labels.size(); }
};

RankerExamples BuildRankerExamples(const HistoryCorpus& corpus, Catalog* catalog, const Retriever& served,
                                   const RankerTrainingOptions& options);

struct TrainedRanker {
  XgbBooster booster;
  nlohmann::json metrics;  // counts and validation ROC-AUC, written as the bundle's metrics.json
};
// Fits on the examples of the other listeners; kInvalidArgument when they lack a class.
Result<TrainedRanker> TrainRanker(const RankerExamples& examples, const RankerTrainingOptions& options);

}  // namespace segue::recommend
