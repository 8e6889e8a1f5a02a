// Trains the two-tower retrieval model (two_tower_model.h) on retrieval pairs (retrieval_pairs.h).
//
// Setup: user inputs standardised with training-set statistics (FitInputNormalization), song audio
// features with the statistics of the songs that have them; loss SampledSoftmaxLoss (in-batch negatives,
// temperature, logQ correction with the sampling probability estimated from the positives' track
// frequency, the listener's skipped tracks as hard negatives); AdamW; gradient-norm clipping. After each
// epoch, validation recall@10/50/100 ranks each held-out pair's positive among ALL songs of the table
// (exact scores, no sampling); the weights of the epoch with the best recall@50 are returned (the last
// epoch when there is no validation pair). Deterministic for a seed and thread count.
// Thread-safety: one training at a time per process (LibTorch's global seed and thread count).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/status.h"
#include "features/song_features.h"
#include "models/retrieval_pairs.h"
#include "models/transformer_weights.h"
#include "models/two_tower_config.h"

namespace segue {

struct RetrievalRecall {
  size_t queries = 0;
  double at10 = 0, at50 = 0, at100 = 0;  // NaN without queries
};

struct TwoTowerEpoch {
  int epoch = 0;  // 1-based
  double train_loss = 0;
  RetrievalRecall valid;
  double seconds = 0;
  bool improved = false;
};

struct TwoTowerTrainOptions {
  TwoTowerConfig architecture;
  int epochs = 4;
  int batch_size = 256;
  double learning_rate = 3e-3;
  double weight_decay = 1e-4;
  double max_grad_norm = 1.0;
  uint64_t seed = 17;
  int threads = 1;  // LibTorch intra-op threads (more is slower on a shared 2-core machine: docs/models.md)
  size_t max_valid_queries = 5000;  // validation pairs ranked per epoch (the first ones)
  std::function<void(const TwoTowerEpoch&)> on_epoch;
};

struct TwoTowerResult {
  TwoTowerConfig architecture;
  TransformerWeights weights;  // both towers, best epoch
  int best_epoch = 0;
  std::vector<TwoTowerEpoch> history;
};

// Log of each song's estimated probability of being an in-batch negative: its share of the training
// positives, with songs that are never a positive counted as half an occurrence (so the log is finite).
std::vector<float> LogSamplingProbability(std::span<const RetrievalPair> train, size_t songs);

// Training needs at least two pairs and a non-empty song table whose rows the pairs reference.
Result<TwoTowerResult> TrainTwoTower(std::span<const SongFeatures> songs, std::span<const RetrievalPair> train,
                                     std::span<const RetrievalPair> valid, const TwoTowerTrainOptions& options);

}  // namespace segue
