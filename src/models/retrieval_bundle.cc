#include "models/retrieval_bundle.h"

#include <filesystem>
#include <numeric>
#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "features/feature_spec.h"
#include "models/bundle_files.h"
#include "recommend/hnsw_index.h"

namespace segue {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kFormatName = "segue-retrieval-bundle";
constexpr const char* kWeightsFile = "weights.bin";
constexpr const char* kEmbeddingsFile = "song_embeddings.bin";
constexpr const char* kTrackIdsFile = "track_ids.txt";
constexpr const char* kAnnFile = "ann.hnsw";
constexpr const char* kEmbeddingsTensor = "song_embeddings";
constexpr int kAnnBuildThreads = 2;

std::string TrackIdsText(const std::vector<std::string>& ids) {
  std::string text;
  for (const std::string& id : ids) text.append(id).push_back('\n');
  return text;
}

json RecallJson(const RetrievalRecall& r) {
  return {{"queries", r.queries},
          {"recall@10", FiniteOrNull(r.at10)},
          {"recall@50", FiniteOrNull(r.at50)},
          {"recall@100", FiniteOrNull(r.at100)}};
}

json ConfigJson(const RetrievalBundle& b) {
  const RetrievalTrainingSummary& t = b.training;
  return {{"format", kFormatName},
          {"format_version", kRetrievalBundleFormatVersion},
          {"model", "two_tower"},
          {"feature_spec_version", b.feature_spec_version},
          {"architecture", b.architecture.ToJson()},
          {"files",
           {{"weights", kWeightsFile}, {"embeddings", kEmbeddingsFile}, {"track_ids", kTrackIdsFile}, {"ann_index", kAnnFile}}},
          {"tracks", b.track_ids.size()},
          {"track_ids_fnv1a64", Fnv1a64(TrackIdsText(b.track_ids))},
          {"training",
           {{"created", t.created},
            {"sources", t.sources},
            {"train_pairs", t.train_pairs},
            {"valid_pairs", t.valid_pairs},
            {"best_epoch", t.best_epoch},
            {"seconds", t.seconds}}}};
}

json MetricsJson(const RetrievalBundle& b) {
  const RetrievalTrainingSummary& t = b.training;
  json epochs = json::array();
  for (const TwoTowerEpoch& e : t.history) {
    json row = RecallJson(e.valid);
    row["epoch"] = e.epoch;
    row["train_loss"] = FiniteOrNull(e.train_loss);
    row["seconds"] = e.seconds;
    row["improved"] = e.improved;
    epochs.push_back(row);
  }
  json best = t.best_epoch >= 1 && static_cast<size_t>(t.best_epoch) <= t.history.size()
                  ? RecallJson(t.history[static_cast<size_t>(t.best_epoch - 1)].valid)
                  : json(nullptr);
  return {{"best_epoch", t.best_epoch},
          {"validation", best},
          {"epochs", epochs},
          {"pairs",
           {{"listeners", t.listeners},
            {"plays", t.plays},
            {"engaged_plays", t.engaged},
            {"unresolved_plays", t.unresolved},
            {"playlists", t.playlists},
            {"playlist_pairs", t.playlist_pairs},
            {"train", t.train_pairs},
            {"validation", t.valid_pairs}}}};
}

Status CheckConfig(const json& c, const std::string& file, RetrievalBundle* b) {
  std::string format, model;
  int format_version = 0;
  if (Status s = JsonField(c, "format", file, &format); !s.ok()) return s;
  if (format != kFormatName) return Status::Corruption(file + ": format is '" + format + "', not " + kFormatName);
  if (Status s = JsonField(c, "format_version", file, &format_version); !s.ok()) return s;
  if (format_version != kRetrievalBundleFormatVersion) {
    return Status::InvalidArgument(file + ": bundle format " + std::to_string(format_version) +
                                   " is not supported (this build reads " +
                                   std::to_string(kRetrievalBundleFormatVersion) + ")");
  }
  if (Status s = JsonField(c, "model", file, &model); !s.ok()) return s;
  if (model != "two_tower") return Status::InvalidArgument(file + ": model '" + model + "' is not supported");
  if (Status s = JsonField(c, "feature_spec_version", file, &b->feature_spec_version); !s.ok()) return s;
  if (b->feature_spec_version != kFeatureSpecVersion) {
    return Status::InvalidArgument(file + ": trained with feature spec v" + std::to_string(b->feature_spec_version) +
                                   ", this build computes v" + std::to_string(kFeatureSpecVersion) + "; retrain the model");
  }
  auto arch = c.find("architecture");
  if (arch == c.end()) return Status::Corruption(file + ": field 'architecture' is missing");
  Result<TwoTowerConfig> architecture = TwoTowerConfig::FromJson(*arch);
  if (!architecture.ok()) return Status::Corruption(file + ": " + architecture.status().message());
  b->architecture = *architecture;
  return Status::Ok();
}

Status ReadTrackIds(const fs::path& path, const json& config, const std::string& config_file,
                    std::vector<std::string>* ids) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  uint64_t expected = 0;
  if (Status s = JsonField(config, "track_ids_fnv1a64", config_file, &expected); !s.ok()) return s;
  if (Fnv1a64(*text) != expected) return Status::Corruption(path.string() + ": checksum mismatch");
  size_t begin = 0;
  while (begin < text->size()) {
    const size_t end = text->find('\n', begin);
    if (end == std::string::npos) return Status::Corruption(path.string() + ": last line is not terminated");
    ids->emplace_back(*text, begin, end - begin);
    begin = end + 1;
  }
  return Status::Ok();
}

Result<TransformerWeights> ReadWeights(const fs::path& path) {
  Result<std::string> bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  Result<TransformerWeights> weights = TransformerWeights::Decode(*bytes);
  if (!weights.ok()) return Status::Corruption(path.string() + ": " + weights.status().message());
  return weights;
}

}  // namespace

Status BuildAnnIndex(const RetrievalBundle& bundle, const std::string& path) {
  recommend::HnswOptions options;
  options.initial_capacity = std::max<size_t>(bundle.track_ids.size(), 1);
  options.build_threads = kAnnBuildThreads;
  Result<std::unique_ptr<recommend::HnswIndex>> index =
      recommend::HnswIndex::Create(bundle.architecture.embedding_dim, options);
  if (!index.ok()) return index.status();
  std::vector<uint64_t> labels(bundle.track_ids.size());
  std::iota(labels.begin(), labels.end(), uint64_t{0});
  if (Status s = (*index)->Add(labels.size(), bundle.song_embeddings.data(), labels.data()); !s.ok()) return s;
  // The served graph is laid out for locality (hnsw_index.h); Load keeps the layout.
  if (Status s = (*index)->OptimizeLayout(); !s.ok()) return s;
  return (*index)->Save(path);
}

Status SaveRetrievalBundle(const RetrievalBundle& b, const std::string& dir) {
  const size_t dim = static_cast<size_t>(b.architecture.embedding_dim);
  if (b.song_embeddings.size() != b.track_ids.size() * dim) {
    return Status::InvalidArgument("retrieval bundle: " + std::to_string(b.song_embeddings.size()) +
                                   " embedding floats for " + std::to_string(b.track_ids.size()) + " tracks × " +
                                   std::to_string(dim));
  }
  // Unique: a row is a track's one label, and the served index replaces a track's vector by that label.
  std::unordered_set<std::string_view> seen;
  seen.reserve(b.track_ids.size());
  for (const std::string& id : b.track_ids) {
    if (id.empty() || id.find('\n') != std::string::npos) {
      return Status::InvalidArgument("retrieval bundle: a track id is empty or holds a newline");
    }
    if (!seen.insert(id).second) return Status::InvalidArgument("retrieval bundle: track id " + id + " is listed twice");
  }
  Result<StagedBundle> staged = StageBundle(dir);
  if (!staged.ok()) return staged.status();
  const fs::path& tmp = staged->tmp;
  TransformerWeights embeddings;
  embeddings.Add(kEmbeddingsTensor, {static_cast<int64_t>(b.track_ids.size()), static_cast<int64_t>(dim)},
                 b.song_embeddings);
  Status s = WriteWholeFile(tmp / kWeightsFile, b.weights.Encode());
  if (s.ok()) s = WriteWholeFile(tmp / kEmbeddingsFile, embeddings.Encode());
  if (s.ok()) s = WriteWholeFile(tmp / kTrackIdsFile, TrackIdsText(b.track_ids));
  if (s.ok()) s = BuildAnnIndex(b, (tmp / kAnnFile).string());
  if (s.ok()) s = WriteWholeFile(tmp / "metrics.json", MetricsJson(b).dump(2) + "\n");
  if (s.ok()) s = WriteWholeFile(tmp / "config.json", ConfigJson(b).dump(2) + "\n");
  return PublishBundle(*staged, s);
}

Result<RetrievalBundle> LoadRetrievalBundle(const std::string& dir) {
  Result<OpenedBundle> opened = OpenBundle(dir);
  if (!opened.ok()) return opened.status();
  const fs::path& root = opened->root;
  const std::string& config_file = opened->config_file;
  const json& config = opened->config;
  RetrievalBundle b;
  b.version = opened->version;
  if (Status s = CheckConfig(config, config_file, &b); !s.ok()) return s;
  if (auto t = config.find("training"); t != config.end() && t->is_object()) {
    b.training.created = t->value("created", "");
    b.training.train_pairs = t->value("train_pairs", size_t{0});
    b.training.valid_pairs = t->value("valid_pairs", size_t{0});
    b.training.best_epoch = t->value("best_epoch", 0);
  }

  Result<TransformerWeights> weights = ReadWeights(root / kWeightsFile);
  if (!weights.ok()) return weights.status();
  b.weights = std::move(*weights);
  if (Status s = ReadTrackIds(root / kTrackIdsFile, config, config_file, &b.track_ids); !s.ok()) return s;
  size_t tracks = 0;
  if (Status s = JsonField(config, "tracks", config_file, &tracks); !s.ok()) return s;
  if (tracks != b.track_ids.size()) {
    return Status::Corruption((root / kTrackIdsFile).string() + ": " + std::to_string(b.track_ids.size()) +
                              " track ids, config.json says " + std::to_string(tracks));
  }
  Result<TransformerWeights> embeddings = ReadWeights(root / kEmbeddingsFile);
  if (!embeddings.ok()) return embeddings.status();
  Result<const NamedTensor*> matrix = embeddings->Expect(
      kEmbeddingsTensor, {static_cast<int64_t>(tracks), static_cast<int64_t>(b.architecture.embedding_dim)});
  if (!matrix.ok()) return Status::Corruption((root / kEmbeddingsFile).string() + ": " + matrix.status().message());
  b.song_embeddings = (*matrix)->data;
  return b;
}

Result<RetrievalModel> LoadRetrievalModel(const std::string& dir) {
  Result<RetrievalBundle> bundle = LoadRetrievalBundle(dir);
  if (!bundle.ok()) return bundle.status();
  RetrievalModel model;
  model.version = bundle->version;
  model.architecture = bundle->architecture;
  Result<std::shared_ptr<const UserEncoder>> user = UserEncoder::Create(bundle->architecture, bundle->weights);
  if (!user.ok()) return Status::Corruption(dir + "/" + kWeightsFile + ": " + user.status().message());
  Result<std::shared_ptr<const SongEncoder>> song = SongEncoder::Create(bundle->architecture, bundle->weights);
  if (!song.ok()) return Status::Corruption(dir + "/" + kWeightsFile + ": " + song.status().message());
  const std::string ann = (fs::path(dir) / kAnnFile).string();
  Result<std::unique_ptr<recommend::HnswIndex>> index =
      recommend::HnswIndex::Load(ann, bundle->architecture.embedding_dim, recommend::HnswOptions{});
  if (!index.ok()) return index.status();
  if ((*index)->size() != bundle->track_ids.size()) {
    return Status::Corruption(ann + ": holds " + std::to_string((*index)->size()) + " labels for " +
                              std::to_string(bundle->track_ids.size()) + " tracks");
  }
  model.user = std::move(*user);
  model.song = std::move(*song);
  model.index = std::move(*index);
  model.track_ids = std::move(bundle->track_ids);
  return model;
}

}  // namespace segue
