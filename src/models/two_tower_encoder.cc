#include "models/two_tower_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "features/session_features.h"
#include "models/flat_math.h"

namespace segue {
namespace {

struct Spec {
  const char* name;
  std::vector<int64_t> shape;
  bool transpose;
  std::vector<float>* out;
};

Status TakeAll(const TransformerWeights& weights, const std::string& prefix, const std::vector<Spec>& specs) {
  for (const Spec& s : specs) {
    if (Status st = AppendTensor(weights, prefix + s.name, s.shape, s.transpose, s.out); !st.ok()) return st;
  }
  return Status::Ok();
}

// Training floors standard deviations; a hand-edited bundle could still hold zeros.
Status Invert(std::vector<float>* std_dev, const char* what) {
  for (float& v : *std_dev) {
    if (!(v > 0.f) || !std::isfinite(v)) {
      return Status::Corruption(std::string("weights: ") + what + " standard deviations must be positive and finite");
    }
    v = 1.0f / v;
  }
  return Status::Ok();
}

// out = relu?(b + Wᵀ·x), W stored transposed (flat_math.h).
void Dense(const std::vector<float>& wt, const std::vector<float>& b, const float* x, int in, bool relu, float* out) {
  const int n = static_cast<int>(b.size());
  std::memcpy(out, b.data(), sizeof(float) * b.size());
  MatVecAdd(wt.data(), x, in, n, out);
  if (relu) {
    for (int i = 0; i < n; ++i) out[i] = std::max(out[i], 0.f);
  }
}

const float* Row(const std::vector<float>& table, int index, int vocab, int width) {
  return table.data() + static_cast<size_t>(VocabIndex(index, vocab)) * static_cast<size_t>(width);
}

}  // namespace

Result<std::shared_ptr<const SongEncoder>> SongEncoder::Create(const TwoTowerConfig& config,
                                                               const TransformerWeights& weights) {
  if (Status s = config.Validate(); !s.ok()) return s;
  auto enc = std::shared_ptr<SongEncoder>(new SongEncoder());
  enc->config_ = config;
  const int64_t e = config.song_embedding, a = config.audio_hidden, h = config.song_hidden;
  Status s = TakeAll(weights, "song.",
                     {{"emb_track.weight", {kTrackBuckets, e}, false, &enc->emb_track_},
                      {"emb_artist.weight", {kArtistBuckets, e}, false, &enc->emb_artist_},
                      {"emb_genre.weight", {kGenreVocab, e}, false, &enc->emb_genre_},
                      {"emb_language.weight", {kLanguageBuckets, e}, false, &enc->emb_language_},
                      {"audio_mean", {kSongAudioFeatures}, false, &enc->audio_mean_},
                      {"audio_std", {kSongAudioFeatures}, false, &enc->audio_inv_std_},
                      {"audio.weight", {a, kSongAudioFeatures}, true, &enc->audio_t_},
                      {"audio.bias", {a}, false, &enc->audio_b_},
                      {"fc1.weight", {h, e + a + kSongNumeric}, true, &enc->fc1_t_},
                      {"fc1.bias", {h}, false, &enc->fc1_b_},
                      {"fc2.weight", {config.embedding_dim, h}, true, &enc->fc2_t_},
                      {"fc2.bias", {config.embedding_dim}, false, &enc->fc2_b_}});
  if (!s.ok()) return s;
  if (Status st = Invert(&enc->audio_inv_std_, "audio"); !st.ok()) return st;
  return std::shared_ptr<const SongEncoder>(std::move(enc));
}

void SongEncoder::Embed(const SongFeatures& song, float* out) const {
  const int e = config_.song_embedding, a = config_.audio_hidden;
  std::vector<float> in(static_cast<size_t>(e + a + kSongNumeric), 0.f);
  std::vector<float> hidden(fc1_b_.size());
  for (const float* row : {Row(emb_track_, song.track, kTrackBuckets, e), Row(emb_artist_, song.artist, kArtistBuckets, e),
                           Row(emb_genre_, song.genre, kGenreVocab, e),
                           Row(emb_language_, song.language, kLanguageBuckets, e)}) {
    for (int i = 0; i < e; ++i) in[static_cast<size_t>(i)] += row[i];
  }
  // The LibTorch tower multiplies the audio MLP by the known flag (0 or 1): unknown audio stays zero.
  if (song.numeric[kSongAudioKnown] != 0.f) {
    float audio[kSongAudioFeatures];
    for (int i = 0; i < kSongAudioFeatures; ++i) {
      audio[i] = (song.audio[static_cast<size_t>(i)] - audio_mean_[static_cast<size_t>(i)]) * audio_inv_std_[static_cast<size_t>(i)];
    }
    Dense(audio_t_, audio_b_, audio, kSongAudioFeatures, /*relu=*/true, in.data() + e);
  }
  std::copy(song.numeric.begin(), song.numeric.end(), in.begin() + e + a);
  Dense(fc1_t_, fc1_b_, in.data(), e + a + kSongNumeric, /*relu=*/true, hidden.data());
  Dense(fc2_t_, fc2_b_, hidden.data(), static_cast<int>(hidden.size()), /*relu=*/false, out);
  L2Normalise(out, config_.embedding_dim);
}

void SongEncoder::EmbedTrack(const Track& track, float* out) const {
  Embed(ComputeSongFeatures(track, config_.reference_ms), out);
}

void SongEncoder::EmbedBatch(std::span<const SongFeatures> songs, float* out) const {
  for (size_t i = 0; i < songs.size(); ++i) Embed(songs[i], out + i * static_cast<size_t>(config_.embedding_dim));
}

Result<std::shared_ptr<const UserEncoder>> UserEncoder::Create(const TwoTowerConfig& config,
                                                               const TransformerWeights& weights) {
  if (Status s = config.Validate(); !s.ok()) return s;
  auto enc = std::shared_ptr<UserEncoder>(new UserEncoder());
  enc->config_ = config;
  Result<std::shared_ptr<const IncrementalEncoder>> sequence =
      IncrementalEncoder::CreateSequenceOnly(config.user_sequence, weights, "user.seq.");
  if (!sequence.ok()) return sequence.status();
  enc->sequence_ = std::move(*sequence);
  const int64_t d = config.user_sequence.d_model, h = config.user_sequence.head_hidden;
  Status s = TakeAll(weights, "user.",
                     {{"ctx_mean", {kContextNumeric}, false, &enc->ctx_mean_},
                      {"ctx_std", {kContextNumeric}, false, &enc->ctx_inv_std_},
                      {"emb_day.weight", {kDayOfWeekVocab, config.day_embedding}, false, &enc->emb_day_},
                      {"fc1.weight", {h, d + kContextNumeric + config.day_embedding}, true, &enc->fc1_t_},
                      {"fc1.bias", {h}, false, &enc->fc1_b_},
                      {"fc2.weight", {config.embedding_dim, h}, true, &enc->fc2_t_},
                      {"fc2.bias", {config.embedding_dim}, false, &enc->fc2_b_}});
  if (!s.ok()) return s;
  if (Status st = Invert(&enc->ctx_inv_std_, "context"); !st.ok()) return st;
  return std::shared_ptr<const UserEncoder>(std::move(enc));
}

void UserEncoder::Embed(const FeatureVector& session, uint8_t day, EncoderCache& cache, float* out) const {
  const int d = config_.user_sequence.d_model, days = config_.day_embedding;
  std::vector<float> in(static_cast<size_t>(d + kContextNumeric + days));
  std::vector<float> hidden(fc1_b_.size());
  sequence_->Encode(session, cache, in.data());
  for (int i = 0; i < kContextNumeric; ++i) {
    const size_t k = static_cast<size_t>(i);
    in[static_cast<size_t>(d + i)] = (session.context[k] - ctx_mean_[k]) * ctx_inv_std_[k];
  }
  const float* day_row = Row(emb_day_, day, kDayOfWeekVocab, days);
  std::copy(day_row, day_row + days, in.begin() + d + kContextNumeric);
  Dense(fc1_t_, fc1_b_, in.data(), static_cast<int>(in.size()), /*relu=*/true, hidden.data());
  Dense(fc2_t_, fc2_b_, hidden.data(), static_cast<int>(hidden.size()), /*relu=*/false, out);
  L2Normalise(out, config_.embedding_dim);
}

void UserEncoder::Embed(const FeatureVector& session, uint8_t day, float* out) const {
  EncoderCache cache = NewCache();
  Embed(session, day, cache, out);
}

void UserEncoder::EmbedSession(const SessionState& state, const Catalog& catalog, float* out) const {
  Embed(ComputeSessionFeatures(state, catalog), DayOfWeekBucket(state.last_event_ms), out);
}

void UserEncoder::EmbedBatch(std::span<const FeatureVector> sessions, std::span<const uint8_t> days,
                             float* out) const {
  EncoderCache cache = NewCache();
  for (size_t i = 0; i < sessions.size(); ++i) {
    Embed(sessions[i], days[i], cache, out + i * static_cast<size_t>(config_.embedding_dim));
  }
}

}  // namespace segue
