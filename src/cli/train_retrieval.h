// The training half of `segue train retrieval`, shared with `segue train all` (the retraining with a
// promotion gate): training pairs from listening histories and playlists (models/retrieval_pairs.h),
// both towers, every track embedded with the plain-C++ song tower, the bundle ready to save.
//
// Held-out pairs (plays in the last 20 % of each listener's time: the split of `segue eval retrieval`;
// one playlist in five) measure recall@K after every epoch and choose the best epoch. With
// hold_out_gate_pairs, every second held-out pair is kept out of that choice instead: those are the
// pairs the promotion gate ranks with the candidate and with the current bundle (neither saw them).
// Thread-safety: one training at a time per process (LibTorch's global seed and thread count).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "events/event.h"
#include "features/song_features.h"
#include "models/retrieval_bundle.h"
#include "models/recommendation_outcomes.h"
#include "models/retrieval_pairs.h"
#include "recommend/playlist_file.h"

namespace segue::cli {

struct RetrievalArgs {
  std::vector<std::string> events, playlists, catalogs;
  std::string out;
  int epochs = 4;
  int batch_size = 256;
  double learning_rate = 3e-3;
  float temperature = 0.05f;
  int embedding_dim = 64;
  int d_model = 32;
  int layers = 2;
  int heads = 4;
  double session_timeout_min = 30;
  size_t max_pairs = 200'000;
  size_t playlist_targets = 10;
  size_t max_valid_queries = 5000;
  uint64_t seed = 17;
  int threads = 1;
  bool json = false;
};

// What the model learns from; reference_ms is the latest time seen (the reference for release recency).
struct RetrievalInputs {
  std::vector<Event> events;
  std::vector<recommend::PlaylistTracks> playlists;
  int64_t reference_ms = 0;
  std::vector<std::string> sources;  // recorded in the bundle
  const RecommendationOutcomes* outcomes = nullptr;  // feedback labels (models/retrieval_pairs.h); may be null
};

struct RetrievalTraining {
  RetrievalBundle bundle;                 // ready to save
  std::vector<SongFeatures> songs;        // the song table, row r = bundle.track_ids[r]
  std::vector<RetrievalPair> gate_pairs;  // with hold_out_gate_pairs only
};

// kInvalidArgument naming the bad option, so a command can refuse it before reading its inputs.
Status ValidateRetrievalArgs(const RetrievalArgs& args);

// kInvalidArgument for bad options (before any training); training errors otherwise. Progress on stderr.
Result<RetrievalTraining> TrainRetrieval(RetrievalInputs inputs, Catalog* catalog, const RetrievalArgs& args,
                                         bool hold_out_gate_pairs);

}  // namespace segue::cli
