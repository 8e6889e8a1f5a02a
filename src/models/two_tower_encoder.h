// The two towers of the retrieval model in plain C++ float math (no LibTorch): what the server runs.
// SongEncoder embeds any track (the bundle's catalog at training time, a new track of POST /v1/tracks
// while serving); UserEncoder embeds a listener's session. Both return exactly (to float rounding) what
// the LibTorch forward of two_tower_model.h returns, and unit-length vectors (cosine = inner product,
// the VectorIndex convention).
//
// The user tower's Transformer is the disengagement model's (IncrementalEncoder, sequence part only), so
// it can reuse a per-listener EncoderCache the same way; Embed without a cache encodes the window.
// Thread-safety: immutable after Create() and safe to share between threads; a cache is used by one
// thread at a time (the caller locks per listener).
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/track.h"
#include "common/status.h"
#include "features/feature_spec.h"
#include "features/song_features.h"
#include "models/incremental_encoder.h"
#include "models/transformer_weights.h"
#include "models/two_tower_config.h"
#include "session/session_state.h"

namespace segue {

class SongEncoder {
 public:
  // Validates every "song.*" tensor's presence and shape against `config`.
  static Result<std::shared_ptr<const SongEncoder>> Create(const TwoTowerConfig& config,
                                                           const TransformerWeights& weights);

  // out: [embedding_dim].
  void Embed(const SongFeatures& song, float* out) const;
  // The song features at the bundle's reference time (song_features.h), embedded.
  void EmbedTrack(const Track& track, float* out) const;
  // out: [songs.size() × embedding_dim].
  void EmbedBatch(std::span<const SongFeatures> songs, float* out) const;

  int dim() const { return config_.embedding_dim; }
  const TwoTowerConfig& config() const { return config_; }

 private:
  SongEncoder() = default;

  TwoTowerConfig config_;
  std::vector<float> emb_track_, emb_artist_, emb_genre_, emb_language_;
  std::vector<float> audio_mean_, audio_inv_std_, audio_t_, audio_b_, fc1_t_, fc1_b_, fc2_t_, fc2_b_;
};

class UserEncoder {
 public:
  // Validates every "user.*" tensor's presence and shape against `config`.
  static Result<std::shared_ptr<const UserEncoder>> Create(const TwoTowerConfig& config,
                                                           const TransformerWeights& weights);

  // out: [embedding_dim]. `day`: DayOfWeekBucket of the session's last event (session_features.h).
  void Embed(const FeatureVector& session, uint8_t day, float* out) const;
  void Embed(const FeatureVector& session, uint8_t day, EncoderCache& cache, float* out) const;
  // The live session as the tracker holds it: ComputeSessionFeatures + DayOfWeekBucket(last_event_ms).
  void EmbedSession(const SessionState& state, const Catalog& catalog, float* out) const;
  // out: [sessions.size() × embedding_dim]; days: one per session.
  void EmbedBatch(std::span<const FeatureVector> sessions, std::span<const uint8_t> days, float* out) const;

  EncoderCache NewCache() const { return sequence_->NewCache(); }
  int dim() const { return config_.embedding_dim; }
  const TwoTowerConfig& config() const { return config_; }

 private:
  UserEncoder() = default;

  TwoTowerConfig config_;
  std::shared_ptr<const IncrementalEncoder> sequence_;
  std::vector<float> ctx_mean_, ctx_inv_std_, emb_day_, fc1_t_, fc1_b_, fc2_t_, fc2_b_;
};

}  // namespace segue
