// Trains the disengagement Transformer (transformer_model.h) on labelled FeatureVectors.
//
// Setup: inputs standardised with training-set statistics; binary cross-entropy on the logit with
// pos_weight = negatives / positives (rare positives count as much as the negatives in total); AdamW;
// gradient-norm clipping; one epoch = one pass over the shuffled training set; after each epoch the
// validation ROC-AUC is measured and training stops after `patience` epochs without improvement. The
// weights of the best epoch are returned, with the output bias shifted by -log(pos_weight) so that the
// probabilities are calibrated to the true base rate again. Deterministic for a seed (torch::manual_seed plus our own
// shuffling RNG, one intra-op thread by default).
// Thread-safety: one training at a time per process (LibTorch's global seed and thread count).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"
#include "models/transformer_config.h"
#include "models/transformer_weights.h"

namespace segue {

// Standardisation of the FeatureVector inputs, fitted on a training set: mean and standard deviation per
// input (sequence inputs over valid steps only; deviations floored at kMinInputStd so constant inputs
// are safe). Shared by every model over FeatureVectors (this trainer, the two-tower user tower).
inline constexpr float kMinInputStd = 1e-3f;
struct InputNormalization {
  std::vector<float> step_mean, step_std, ctx_mean, ctx_std;
};
InputNormalization FitInputNormalization(size_t count, const std::function<const FeatureVector&(size_t)>& example);

struct EpochReport {
  int epoch = 0;  // 1-based
  double train_loss = 0;
  double valid_roc_auc = 0;
  double valid_pr_auc = 0;
  double seconds = 0;
  bool improved = false;
};

struct TrainOptions {
  TransformerConfig architecture;
  int max_epochs = 12;
  int patience = 3;  // epochs without a better validation ROC-AUC before stopping
  int batch_size = 256;
  double learning_rate = 2e-3;
  double weight_decay = 1e-2;
  double max_grad_norm = 1.0;
  uint64_t seed = 17;
  int threads = 1;  // LibTorch intra-op threads
  std::function<void(const EpochReport&)> on_epoch;  // progress (called after each epoch)
};

struct TrainResult {
  TransformerConfig architecture;
  TransformerWeights weights;  // best epoch
  int best_epoch = 0;
  float pos_weight = 1;
  std::vector<EpochReport> history;
  std::vector<float> valid_scores;  // best epoch's (calibrated) validation probabilities, in input order
};

// Validation must hold both classes (ROC-AUC is the stopping criterion); training needs at least one
// positive. Errors are kInvalidArgument naming what is missing.
Result<TrainResult> TrainDisengagementTransformer(std::span<const FeatureVector> train,
                                                  std::span<const uint8_t> train_labels,
                                                  std::span<const FeatureVector> valid,
                                                  std::span<const uint8_t> valid_labels,
                                                  const TrainOptions& options);

// The LibTorch full forward as a scorer (the reference the serving engine is tested against, and the
// full-recompute path of the scoring benchmark), behind a plain C++ interface. Runs in eval mode; one
// caller at a time.
class TorchScorer {
 public:
  // Sets LibTorch's process-wide intra-op thread count to `threads`.
  static Result<std::unique_ptr<TorchScorer>> Create(const TransformerConfig& architecture,
                                                     const TransformerWeights& weights, int threads = 1);
  ~TorchScorer();
  // Probabilities for `examples`, `batch_size` sequences per forward call.
  Result<std::vector<float>> Score(std::span<const FeatureVector> examples, int batch_size = 512);

 private:
  struct Impl;
  explicit TorchScorer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One-shot convenience over TorchScorer.
Result<std::vector<float>> ScoreWithTorch(const TransformerConfig& architecture, const TransformerWeights& weights,
                                          std::span<const FeatureVector> examples, int batch_size = 512);

}  // namespace segue
