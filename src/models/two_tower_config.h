// The architecture of the two-tower retrieval model (docs/models.md, "Two-tower retrieval model"): a plain
// struct shared by the LibTorch model (two_tower_model.h, training), the plain-C++ towers
// (two_tower_encoder.h, serving) and the retrieval bundle's config.json.
//
// Song tower: sum of embeddings (width song_embedding) of the hashed track id, artist, genre and language
// ‖ an MLP (audio_hidden units) over the standardised audio features, zeroed when a track has none ‖ the
// other song numerics (song_features.h) → song_hidden → embedding_dim, L2-normalised.
// User tower: the disengagement model's sequence encoder (user_sequence, a TransformerConfig) over the
// session's FeatureVector ‖ the standardised context inputs (session counters, hour, long-term profile)
// ‖ a day-of-week embedding (day_embedding) → user_sequence.head_hidden → embedding_dim, L2-normalised.
// Plain value type; no synchronisation.
#pragma once

#include <cstdint>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "models/transformer_config.h"

namespace segue {

struct TwoTowerConfig {
  TransformerConfig user_sequence{.d_model = 32, .heads = 4, .layers = 2, .ffn_dim = 64, .head_hidden = 128, .dropout = 0.1f};
  int embedding_dim = 64;
  int song_embedding = 32;
  int audio_hidden = 32;
  int song_hidden = 128;
  int day_embedding = 8;
  float temperature = 0.05f;  // softmax temperature of training (scores are cosine similarities)
  int64_t reference_ms = 0;   // release recency is measured at this time (song_features.h)

  // Checks the numbers are usable; errors name the field ("architecture.song_hidden: ...").
  Status Validate() const;
  // config.json's "architecture" object, and back (every field named; missing or bad → error naming it).
  nlohmann::json ToJson() const;
  static Result<TwoTowerConfig> FromJson(const nlohmann::json& json);
};

}  // namespace segue
