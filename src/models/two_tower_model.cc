#include "models/two_tower_model.h"

#include <algorithm>
#include <limits>

#include "features/session_features.h"

namespace segue {
namespace {

torch::Tensor Normalise(const torch::Tensor& x) {
  return torch::nn::functional::normalize(x, torch::nn::functional::NormalizeFuncOptions().p(2).dim(1));
}

}  // namespace

SongBatch MakeSongBatch(const std::vector<const SongFeatures*>& songs) {
  const int64_t b = static_cast<int64_t>(songs.size());
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  SongBatch out{torch::zeros({b}, i64), torch::zeros({b}, i64), torch::zeros({b}, i64), torch::zeros({b}, i64),
                torch::zeros({b, kSongAudioFeatures}), torch::zeros({b, kSongNumeric})};
  auto track = out.track.accessor<int64_t, 1>();
  auto artist = out.artist.accessor<int64_t, 1>();
  auto genre = out.genre.accessor<int64_t, 1>();
  auto language = out.language.accessor<int64_t, 1>();
  auto audio = out.audio.accessor<float, 2>();
  auto numeric = out.numeric.accessor<float, 2>();
  for (int64_t i = 0; i < b; ++i) {
    const SongFeatures& s = *songs[static_cast<size_t>(i)];
    track[i] = VocabIndex(s.track, kTrackBuckets);
    artist[i] = VocabIndex(s.artist, kArtistBuckets);
    genre[i] = VocabIndex(s.genre, kGenreVocab);
    language[i] = VocabIndex(s.language, kLanguageBuckets);
    for (int k = 0; k < kSongAudioFeatures; ++k) audio[i][k] = s.audio[static_cast<size_t>(k)];
    for (int k = 0; k < kSongNumeric; ++k) numeric[i][k] = s.numeric[static_cast<size_t>(k)];
  }
  return out;
}

UserBatch MakeUserBatch(const std::vector<const FeatureVector*>& sessions, const std::vector<uint8_t>& days) {
  UserBatch out{MakeTransformerBatch(sessions), torch::zeros({static_cast<int64_t>(days.size())}, torch::kInt64)};
  auto day = out.day.accessor<int64_t, 1>();
  for (size_t i = 0; i < days.size(); ++i) day[static_cast<int64_t>(i)] = VocabIndex(days[i], kDayOfWeekVocab);
  return out;
}

SongTowerImpl::SongTowerImpl(const TwoTowerConfig& c) {
  const int e = c.song_embedding;
  emb_track_ = register_module("emb_track", torch::nn::Embedding(kTrackBuckets, e));
  emb_artist_ = register_module("emb_artist", torch::nn::Embedding(kArtistBuckets, e));
  emb_genre_ = register_module("emb_genre", torch::nn::Embedding(kGenreVocab, e));
  emb_language_ = register_module("emb_language", torch::nn::Embedding(kLanguageBuckets, e));
  for (auto* m : {&emb_track_, &emb_artist_, &emb_genre_, &emb_language_}) {
    torch::NoGradGuard no_grad;
    (*m)->weight.normal_(0.0, 0.1);  // summed: keep each small
  }
  audio_ = register_module("audio", torch::nn::Linear(kSongAudioFeatures, c.audio_hidden));
  fc1_ = register_module("fc1", torch::nn::Linear(e + c.audio_hidden + kSongNumeric, c.song_hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(c.song_hidden, c.embedding_dim));
  audio_mean_ = register_buffer("audio_mean", torch::zeros({kSongAudioFeatures}));
  audio_std_ = register_buffer("audio_std", torch::ones({kSongAudioFeatures}));
}

torch::Tensor SongTowerImpl::forward(const SongBatch& b) {
  torch::Tensor ids = emb_track_(b.track) + emb_artist_(b.artist) + emb_genre_(b.genre) + emb_language_(b.language);
  // A track without audio features gets no audio signal (rather than the standardised zeros).
  torch::Tensor known = b.numeric.select(1, kSongAudioKnown).unsqueeze(1);
  torch::Tensor audio = torch::relu(audio_((b.audio - audio_mean_) / audio_std_)) * known;
  return Normalise(fc2_(torch::relu(fc1_(torch::cat({ids, audio, b.numeric}, 1)))));
}

void SongTowerImpl::SetAudioNormalization(const std::vector<float>& mean, const std::vector<float>& std) {
  CopyInto(audio_mean_, mean);
  CopyInto(audio_std_, std);
}

UserTowerImpl::UserTowerImpl(const TwoTowerConfig& c) {
  const TransformerConfig& s = c.user_sequence;
  seq_ = register_module("seq", SequenceEncoder(s));
  emb_day_ = register_module("emb_day", torch::nn::Embedding(kDayOfWeekVocab, c.day_embedding));
  fc1_ = register_module("fc1", torch::nn::Linear(s.d_model + kContextNumeric + c.day_embedding, s.head_hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(s.head_hidden, c.embedding_dim));
  ctx_mean_ = register_buffer("ctx_mean", torch::zeros({kContextNumeric}));
  ctx_std_ = register_buffer("ctx_std", torch::ones({kContextNumeric}));
}

torch::Tensor UserTowerImpl::forward(const UserBatch& b) {
  torch::Tensor ctx = (b.sequence.context - ctx_mean_) / ctx_std_;
  torch::Tensor x = torch::cat({seq_->Encode(b.sequence), ctx, emb_day_(b.day)}, 1);
  return Normalise(fc2_(torch::relu(fc1_(x))));
}

void UserTowerImpl::SetNormalization(const std::vector<float>& step_mean, const std::vector<float>& step_std,
                                     const std::vector<float>& ctx_mean, const std::vector<float>& ctx_std) {
  seq_->SetStepNormalization(step_mean, step_std);
  CopyInto(ctx_mean_, ctx_mean);
  CopyInto(ctx_std_, ctx_std);
}

TwoTowerModelImpl::TwoTowerModelImpl(const TwoTowerConfig& config) : config_(config) {
  user_ = register_module("user", UserTower(config));
  song_ = register_module("song", SongTower(config));
}

torch::Tensor SampledSoftmaxLoss(const torch::Tensor& user, const torch::Tensor& song, const torch::Tensor& track,
                                 const torch::Tensor& log_q, const torch::Tensor& hard,
                                 const torch::Tensor& hard_valid, double temperature) {
  const int64_t b = user.size(0);
  const float minus_inf = -std::numeric_limits<float>::infinity();
  torch::Tensor in_batch = torch::matmul(user, song.t()) / temperature - log_q.unsqueeze(0);
  torch::Tensor same = track.unsqueeze(0) == track.unsqueeze(1);
  same = same.logical_and(torch::eye(b, torch::kBool).logical_not());
  in_batch = in_batch.masked_fill(same, minus_inf);
  torch::Tensor logits = in_batch;
  if (hard.size(1) > 0) {
    torch::Tensor hard_logits = (user.unsqueeze(1) * hard).sum(-1) / temperature;
    logits = torch::cat({in_batch, hard_logits.masked_fill(hard_valid.logical_not(), minus_inf)}, 1);
  }
  return torch::nn::functional::cross_entropy(logits, torch::arange(b, torch::kInt64));
}

}  // namespace segue
