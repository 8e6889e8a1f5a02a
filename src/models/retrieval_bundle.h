// A two-tower retrieval model bundle: the self-describing folder `segue train retrieval` writes and the
// server / `segue eval retrieval --model DIR` load. Plain C++ types only (no LibTorch).
//
// Layout of <models_dir>/<version>/:
//   config.json          format + version, model "two_tower", feature_spec_version, architecture
//                        (TwoTowerConfig), the files below, track count, FNV-1a of track_ids.txt, training
//                        summary (sources, pair counts, best epoch)
//   weights.bin          both towers (transformer_weights.h: named float tensors, checksummed)
//   song_embeddings.bin  the song tower's output for every track of the bundle, as one checksummed
//                        tensor "song_embeddings" [n × embedding_dim] (the weights.bin format)
//   track_ids.txt        n lines, the track id of each embedding row: row r is label r of the ANN index
//   ann.hnsw             the HNSW index over the embeddings (recommend/hnsw_index.h), labels = rows
//   metrics.json         per-epoch training loss and validation recall@10/50/100, the best epoch's
//                        recall with the number of held-out pairs, and the pair counts
// Versions are sub-folder names; FindNewestBundle (disengagement_bundle.h) picks the newest.
//
// Contract: SaveRetrievalBundle writes into a temporary sibling folder and renames it into place (never
// a half-written bundle; an existing bundle is not overwritten). LoadRetrievalBundle validates everything
// it reads (JSON shape, feature-spec version equal to this build's, checksums, tensor shapes, the track
// list against the embeddings) and returns kNotFound / kCorruption / kInvalidArgument naming the file and
// field; it never throws. LoadRetrievalModel also builds both towers and loads the index without
// rebuilding it (and checks it holds one label per track).
// Thread-safety: free functions on plain values; concurrent Saves to the same folder are not supported.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "models/transformer_weights.h"
#include "models/two_tower_config.h"
#include "models/two_tower_encoder.h"
#include "models/two_tower_trainer.h"
#include "recommend/vector_index.h"

namespace segue {

inline constexpr int kRetrievalBundleFormatVersion = 1;

struct RetrievalTrainingSummary {
  std::string created;               // RFC 3339
  std::vector<std::string> sources;  // events, playlists and catalog files
  size_t listeners = 0, plays = 0, engaged = 0, unresolved = 0;
  size_t playlists = 0, playlist_pairs = 0;
  size_t train_pairs = 0, valid_pairs = 0;
  int best_epoch = 0;
  double seconds = 0;
  std::vector<TwoTowerEpoch> history;
};

struct RetrievalBundle {
  std::string version;  // folder name (filled by Load)
  uint32_t feature_spec_version = 0;
  TwoTowerConfig architecture;
  TransformerWeights weights;
  std::vector<std::string> track_ids;  // row r: the track of embedding row r and ANN label r
  std::vector<float> song_embeddings;  // [track_ids.size() × embedding_dim], unit rows
  RetrievalTrainingSummary training;
};

// The ANN index over `bundle`'s embeddings (labels = rows), built, laid out for locality
// (HnswIndex::OptimizeLayout) and written to `path`.
Status BuildAnnIndex(const RetrievalBundle& bundle, const std::string& path);

Status SaveRetrievalBundle(const RetrievalBundle& bundle, const std::string& dir);
Result<RetrievalBundle> LoadRetrievalBundle(const std::string& dir);

// A bundle ready to serve: both towers, the loaded index and the row → track id list (weights and
// embeddings are dropped once the towers and the index hold them).
struct RetrievalModel {
  std::string version;
  TwoTowerConfig architecture;
  std::vector<std::string> track_ids;
  std::shared_ptr<const UserEncoder> user;
  std::shared_ptr<const SongEncoder> song;
  std::shared_ptr<recommend::VectorIndex> index;
};
Result<RetrievalModel> LoadRetrievalModel(const std::string& dir);

}  // namespace segue
