// The disengagement Transformer as a LibTorch module: used for training and for the full-forward
// reference that the serving engine (incremental_encoder.h) must match. Includes LibTorch: include it
// only from .cc files that already need torch (trainer, tests, benchmarks), never from headers.
//
// Architecture (TransformerConfig): per step, the sum of embeddings of track bucket, artist bucket,
// genre, end reason and hour plus a linear projection of the standardised step numerics → `layers`
// pre-LayerNorm encoder blocks with causal attention limited to the last span() positions and a learned
// relative-position bias per head → final LayerNorm → the output at the last valid step, concatenated
// with the standardised context vector → MLP → one logit.
// Not thread-safe for concurrent forward calls on the same module in training mode.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"
#include "models/transformer_config.h"
#include "models/transformer_weights.h"

namespace segue {

// A batch of FeatureVectors as tensors (CPU). Categorical inputs are int64 [B, T], already mapped with
// VocabIndex; numerics are raw (the model standardises them).
struct TransformerBatch {
  torch::Tensor track, artist, genre, end, hour;  // [B, T] int64
  torch::Tensor step_numeric;                     // [B, T, kStepNumeric] float
  torch::Tensor length;                           // [B] int64
  torch::Tensor context;                          // [B, kContextNumeric] float
};

TransformerBatch MakeTransformerBatch(const std::vector<const FeatureVector*>& examples);

// Every parameter and buffer of `module`, by its module path ("layers.0.qkv.weight", ...).
TransformerWeights ExportModuleWeights(const torch::nn::Module& module);
// Loads every parameter and buffer of `module` from `weights`; an error names a missing or mis-shaped one.
Status ImportModuleWeights(const TransformerWeights& weights, torch::nn::Module& module);
// Copies `values` into the 1-d tensor `dst` (standardisation buffers).
void CopyInto(torch::Tensor& dst, const std::vector<float>& values);

class TransformerBlockImpl : public torch::nn::Module {
 public:
  explicit TransformerBlockImpl(const TransformerConfig& config);
  // x: [B, T, d]; attn_mask: [T, T] additive (0 or -inf), dist: [T, T] int64 clamped distances.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& attn_mask, const torch::Tensor& dist);

 private:
  TransformerConfig config_;
  torch::nn::LayerNorm ln1_{nullptr}, ln2_{nullptr};
  torch::nn::Linear qkv_{nullptr}, out_{nullptr}, ffn1_{nullptr}, ffn2_{nullptr};
  torch::nn::Dropout drop_{nullptr};
  torch::Tensor rel_bias_;  // [heads, span]
};
TORCH_MODULE(TransformerBlock);

// The sequence part shared by the disengagement model and the retrieval user tower (two_tower_model.h):
// embeddings + standardised step numerics → encoder blocks → final LayerNorm. Its parameter names
// ("emb_track.weight", "layers.0.qkv.weight", ...) are those IncrementalEncoder reads.
class SequenceEncoderImpl : public torch::nn::Module {
 public:
  explicit SequenceEncoderImpl(const TransformerConfig& config);
  // The output at the last valid step [B, d]; zero for a sequence with no step yet.
  torch::Tensor Encode(const TransformerBatch& batch);
  void SetStepNormalization(const std::vector<float>& step_mean, const std::vector<float>& step_std);

  const TransformerConfig& config() const { return config_; }

 protected:
  TransformerConfig config_;

 private:
  torch::nn::Embedding emb_track_{nullptr}, emb_artist_{nullptr}, emb_genre_{nullptr}, emb_end_{nullptr},
      emb_hour_{nullptr};
  torch::nn::Linear step_num_{nullptr};
  torch::nn::LayerNorm final_ln_{nullptr};
  torch::nn::ModuleList layers_{nullptr};
  std::vector<TransformerBlock> blocks_;
  torch::Tensor step_mean_, step_std_;
  torch::Tensor attn_mask_, dist_;  // derived from the config, not saved
};
TORCH_MODULE(SequenceEncoder);

// Derives from the sequence encoder (rather than holding one) so the parameter names stay unprefixed,
// as bundles written before the split name them.
class DisengagementTransformerImpl : public SequenceEncoderImpl {
 public:
  explicit DisengagementTransformerImpl(const TransformerConfig& config);
  // Logits [B].
  torch::Tensor forward(const TransformerBatch& batch);

  // Input standardisation, fitted on the training set (std is floored so constant inputs are safe).
  void SetNormalization(const std::vector<float>& step_mean, const std::vector<float>& step_std,
                        const std::vector<float>& ctx_mean, const std::vector<float>& ctx_std);

  TransformerWeights ExportWeights() const { return ExportModuleWeights(*this); }
  Status ImportWeights(const TransformerWeights& weights) { return ImportModuleWeights(weights, *this); }

 private:
  torch::nn::Linear head1_{nullptr}, head2_{nullptr};
  torch::Tensor ctx_mean_, ctx_std_;
};
TORCH_MODULE(DisengagementTransformer);

}  // namespace segue
