// IncrementalEncoder: serving-time inference of the disengagement Transformer in plain C++ float math
// (no LibTorch), caching each listener's past positions so that a new play end costs one position.
//
// Contract:
//  - Score(fv, cache) returns exactly (to float rounding) what the LibTorch full forward returns for
//    `fv` (transformer_model.h), whatever the cache holds: the cache only saves work. It remembers a
//    64-bit hash of every step it has encoded; a call reuses the cache when fv's steps are the cached
//    stream plus m new steps (m = 0 when only the context changed), and otherwise starts over from the
//    window. Because attention is causal, limited to span() positions per layer and position-relative
//    (transformer_config.h), cached keys/values stay valid when the 32-play window slides.
//  - Cost: O(m) positions per call, each O(layers · d · (d + ffn + span)); plus hashing the window.
//  - Memory per cache: layers × 2 × span × d floats + 32 hashes (≈ 8.5 KB for the default config).
// Thread-safety: an IncrementalEncoder is immutable after Create() and safe to share between threads;
// a cache must be used by one thread at a time (the caller locks per listener).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"
#include "models/transformer_config.h"
#include "models/transformer_weights.h"

namespace segue {

// One listener's cached encoder state.
struct EncoderCache {
  std::vector<float> kv;         // [layers][2][span][d]: ring of keys then values per layer
  std::vector<float> last;       // [d]: final-LayerNorm output of the newest position
  std::array<uint64_t, kSequenceLength> hashes{};  // ring of the newest steps' hashes
  uint64_t stream_len = 0;       // positions encoded since the cache (re)started
  uint64_t positions_computed = 0;  // lifetime counter: how much work the cache did (tests, metrics)

  size_t bytes() const { return sizeof(*this) + (kv.capacity() + last.capacity()) * sizeof(float); }
};

class IncrementalEncoder {
 public:
  // Validates every tensor's presence and shape against `config`.
  static Result<std::shared_ptr<const IncrementalEncoder>> Create(const TransformerConfig& config,
                                                                  const TransformerWeights& weights);
  // The sequence part only (SequenceEncoder in transformer_model.h), its tensors named `prefix` + the
  // usual names: for models that put their own head on the sequence embedding (the retrieval user
  // tower). Such an encoder serves Encode(), never Score().
  static Result<std::shared_ptr<const IncrementalEncoder>> CreateSequenceOnly(const TransformerConfig& config,
                                                                              const TransformerWeights& weights,
                                                                              std::string_view prefix);

  EncoderCache NewCache() const;
  // Probability of disengagement at the decision point `fv`, updating `cache`.
  float Score(const FeatureVector& fv, EncoderCache& cache) const;
  // The same without a listener cache: encodes the whole window (the full-recompute path).
  float ScoreFresh(const FeatureVector& fv) const;

  // The sequence embedding of `fv` (final-LayerNorm output at its last step; zeros when fv has no step)
  // into out[0..d_model), updating `cache` as Score does.
  void Encode(const FeatureVector& fv, EncoderCache& cache, float* out) const;

  const TransformerConfig& config() const { return config_; }

 private:
  struct Layer {
    const float *ln1_w, *ln1_b, *qkv_t, *qkv_b, *rel_bias, *out_t, *out_b, *ln2_w, *ln2_b, *ffn1_t, *ffn1_b,
        *ffn2_t, *ffn2_b;
  };

  IncrementalEncoder() = default;
  static Result<std::shared_ptr<const IncrementalEncoder>> Build(const TransformerConfig& config,
                                                                 const TransformerWeights& weights,
                                                                 std::string_view prefix, bool with_head);
  // Brings `cache` up to fv's steps (the reuse rule of the contract above).
  void Advance(const FeatureVector& fv, EncoderCache& cache) const;
  // Encodes one new position at the end of the cached stream.
  void Append(const StepFeatures& step, EncoderCache& cache) const;
  float Head(const FeatureVector& fv, const EncoderCache& cache) const;

  TransformerConfig config_;
  std::vector<float> storage_;  // every array below points into it (transposed where noted by _t)
  const float *emb_track_ = nullptr, *emb_artist_ = nullptr;  // null when the config has no id embeddings
  const float *emb_genre_, *emb_end_, *emb_hour_;
  const float *step_mean_, *step_inv_std_, *step_num_t_, *step_num_b_;
  const float *final_ln_w_, *final_ln_b_;
  // The head; null for a sequence-only encoder (CreateSequenceOnly).
  const float *ctx_mean_ = nullptr, *ctx_inv_std_ = nullptr, *head1_t_ = nullptr, *head1_b_ = nullptr,
              *head2_w_ = nullptr;
  float head2_b_ = 0;
  std::vector<Layer> layers_;
};

}  // namespace segue
