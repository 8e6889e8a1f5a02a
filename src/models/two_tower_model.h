// The two-tower retrieval model as LibTorch modules (architecture: two_tower_config.h): used for
// training and as the full-forward reference the plain-C++ towers (two_tower_encoder.h) must match.
// Includes LibTorch: include it only from .cc files that already need torch (trainer, tests).
//
// Parameter names: "user.seq.*" (the disengagement model's sequence encoder, so the serving side runs it
// with IncrementalEncoder), "user.*" and "song.*" for the rest.
// Not thread-safe for concurrent forward calls on the same module in training mode.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"
#include "features/song_features.h"
#include "models/transformer_model.h"
#include "models/two_tower_config.h"

namespace segue {

struct SongBatch {
  torch::Tensor track, artist, genre, language;  // [B] int64, mapped with VocabIndex
  torch::Tensor audio;                           // [B, kSongAudioFeatures] raw
  torch::Tensor numeric;                         // [B, kSongNumeric]
};
SongBatch MakeSongBatch(const std::vector<const SongFeatures*>& songs);

struct UserBatch {
  TransformerBatch sequence;
  torch::Tensor day;  // [B] int64, DayOfWeekBucket (session_features.h)
};
UserBatch MakeUserBatch(const std::vector<const FeatureVector*>& sessions, const std::vector<uint8_t>& days);

class SongTowerImpl : public torch::nn::Module {
 public:
  explicit SongTowerImpl(const TwoTowerConfig& config);
  torch::Tensor forward(const SongBatch& batch);  // [B, embedding_dim], unit rows
  void SetAudioNormalization(const std::vector<float>& mean, const std::vector<float>& std);

 private:
  torch::nn::Embedding emb_track_{nullptr}, emb_artist_{nullptr}, emb_genre_{nullptr}, emb_language_{nullptr};
  torch::nn::Linear audio_{nullptr}, fc1_{nullptr}, fc2_{nullptr};
  torch::Tensor audio_mean_, audio_std_;
};
TORCH_MODULE(SongTower);

class UserTowerImpl : public torch::nn::Module {
 public:
  explicit UserTowerImpl(const TwoTowerConfig& config);
  torch::Tensor forward(const UserBatch& batch);  // [B, embedding_dim], unit rows
  void SetNormalization(const std::vector<float>& step_mean, const std::vector<float>& step_std,
                        const std::vector<float>& ctx_mean, const std::vector<float>& ctx_std);

 private:
  SequenceEncoder seq_{nullptr};
  torch::nn::Embedding emb_day_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  torch::Tensor ctx_mean_, ctx_std_;
};
TORCH_MODULE(UserTower);

class TwoTowerModelImpl : public torch::nn::Module {
 public:
  explicit TwoTowerModelImpl(const TwoTowerConfig& config);
  UserTower& user() { return user_; }
  SongTower& song() { return song_; }
  const TwoTowerConfig& config() const { return config_; }

 private:
  TwoTowerConfig config_;
  UserTower user_{nullptr};
  SongTower song_{nullptr};
};
TORCH_MODULE(TwoTowerModel);

// The training loss: sampled softmax over in-batch negatives with logQ correction (Yi et al., RecSys
// 2019) plus per-example hard negatives.
//  user, song: [B, D] (row i of song is the positive of row i of user); track: [B] int64 song ids, so a
//  track that is also another row's positive is not counted as that row's negative; log_q: [B] log of
//  the probability that the track is sampled as an in-batch negative (≈ its share of the positives),
//  subtracted from the in-batch logits so popular tracks are not over-penalised; hard: [B, H, D] and
//  hard_valid: [B, H] bool (H may be 0): negatives the listener skipped, not corrected (not sampled).
// Logits are dot / temperature. Returns the mean cross-entropy of the positive.
torch::Tensor SampledSoftmaxLoss(const torch::Tensor& user, const torch::Tensor& song, const torch::Tensor& track,
                                 const torch::Tensor& log_q, const torch::Tensor& hard,
                                 const torch::Tensor& hard_valid, double temperature);

}  // namespace segue
