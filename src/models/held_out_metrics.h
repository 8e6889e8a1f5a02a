// The promotion gate's offline metrics (models/promotion_gate.h): one bundle, read from its folder, on
// held-out examples. The candidate and the current bundle go through the same function on the same
// examples, so the comparison is like for like.
//   disengagement  ROC-AUC of the bundle's probability on labelled decision points (features computed
//                  by the dataset code, scored with IncrementalEncoder::ScoreFresh as `segue eval` does)
//   retrieval      recall@10/50/100 of held-out (query, engaged track) pairs, each positive ranked among
//                  ALL songs given (exact inner products of the bundle's towers, no ANN), rank = songs
//                  scoring strictly higher (the trainer's validation rule); the gate uses recall@50
// Thread-safety: reentrant.
#pragma once

#include <span>
#include <string>

#include "common/status.h"
#include "features/feature_spec.h"
#include "features/song_features.h"
#include "models/retrieval_pairs.h"
#include "models/two_tower_trainer.h"

namespace segue {

Result<double> DisengagementRocAuc(const std::string& bundle_dir, std::span<const FeatureVector> x,
                                   std::span<const uint8_t> y);

Result<RetrievalRecall> RetrievalRecallOf(const std::string& bundle_dir, std::span<const SongFeatures> songs,
                                          std::span<const RetrievalPair> pairs);

}  // namespace segue
