// A small valid retrieval bundle for tests: an untrained two-tower model (seeded, 8-d embeddings) and the
// song embeddings of 30 tracks "t0".."t29" by artists "a0".."a3". Test-only.
#pragma once

#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "catalog/track.h"
#include "features/feature_spec.h"
#include "models/retrieval_bundle.h"
#include "models/two_tower_model.h"

namespace segue::testing {

// append, not `"t" + std::to_string(i)`: GCC 12 reports a false -Wrestrict on the latter.
inline std::string NumberedId(const char* prefix, int i) { return std::string(prefix).append(std::to_string(i)); }

inline RetrievalBundle TinyRetrievalBundle() {
  RetrievalBundle bundle;
  TwoTowerConfig& c = bundle.architecture;
  c.user_sequence.d_model = 16;
  c.user_sequence.heads = 2;
  c.user_sequence.ffn_dim = 32;
  c.user_sequence.head_hidden = 16;
  c.embedding_dim = 8;
  c.song_hidden = 16;
  c.reference_ms = 1'700'000'000'000;
  torch::manual_seed(3);
  TwoTowerModel model(c);
  bundle.weights = ExportModuleWeights(*model);
  bundle.feature_spec_version = kFeatureSpecVersion;
  auto song = SongEncoder::Create(c, bundle.weights);
  EXPECT_TRUE(song.ok()) << song.status().message();
  if (!song.ok()) return bundle;
  for (int i = 0; i < 30; ++i) {
    Track t;
    t.track_id = NumberedId("t", i);
    t.artist = NumberedId("a", i % 4);
    bundle.track_ids.push_back(t.track_id);
    bundle.song_embeddings.resize(bundle.track_ids.size() * 8);
    (*song)->EmbedTrack(t, &bundle.song_embeddings[static_cast<size_t>(i) * 8]);
  }
  bundle.training.created = "2026-11-30T09:00:00.000Z";
  bundle.training.sources = {"events.ndjson"};
  bundle.training.train_pairs = 100;
  bundle.training.valid_pairs = 20;
  bundle.training.best_epoch = 1;
  bundle.training.history = {{.epoch = 1, .train_loss = 3.2, .valid = {20, 0.1, 0.4, 0.9}, .seconds = 1, .improved = true}};
  return bundle;
}

}  // namespace segue::testing
