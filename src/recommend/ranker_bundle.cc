#include "recommend/ranker_bundle.h"

#include <cstdio>
#include <vector>

#include "common/hash.h"
#include "models/bundle_files.h"
#include "recommend/ranker_features.h"

namespace segue::recommend {
namespace {

constexpr char kFormat[] = "segue-ranker";
constexpr char kModelFile[] = "model.ubj";

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::vector<std::string> FeatureNames() { return {kRankerFeatureNames.begin(), kRankerFeatureNames.end()}; }

// config.json's promises about this build: format, versions, feature list.
Status CheckConfig(const OpenedBundle& b) {
  std::string format;
  int format_version = 0;
  uint32_t feature_version = 0;
  std::vector<std::string> features;
  for (Status s : {JsonField(b.config, "format", b.config_file, &format),
                   JsonField(b.config, "format_version", b.config_file, &format_version),
                   JsonField(b.config, "feature_version", b.config_file, &feature_version),
                   JsonField(b.config, "features", b.config_file, &features)}) {
    if (!s.ok()) return s;
  }
  if (format != kFormat) return Status::Corruption(b.config_file + ": not a ranker bundle (format \"" + format + "\")");
  if (format_version != kRankerFormatVersion) {
    return Status::Corruption(b.config_file + ": format_version " + std::to_string(format_version) +
                              ", this build reads " + std::to_string(kRankerFormatVersion));
  }
  if (feature_version != kRankerFeatureVersion || features != FeatureNames()) {
    return Status::Corruption(b.config_file + ": trained on ranker features v" + std::to_string(feature_version) +
                              ", this build computes v" + std::to_string(kRankerFeatureVersion) +
                              " (retrain with segue train ranker)");
  }
  return Status::Ok();
}

Result<std::string> ReadModelBytes(const OpenedBundle& b) {
  std::string file, hash;
  size_t bytes = 0;
  for (Status s : {JsonField(b.config, "model_file", b.config_file, &file),
                   JsonField(b.config, "model_bytes", b.config_file, &bytes),
                   JsonField(b.config, "model_fnv1a64", b.config_file, &hash)}) {
    if (!s.ok()) return s;
  }
  const std::string path = (b.root / file).string();
  Result<std::string> model = ReadWholeFile(b.root / file);
  if (!model.ok()) return model.status();
  if (model->size() != bytes || Hex64(Fnv1a64(*model)) != hash) {
    return Status::Corruption(path + ": size or hash differs from config.json (truncated or modified)");
  }
  return model;
}

}  // namespace

Status WriteRankerBundle(const std::string& dir, const XgbBooster& booster, double train_fraction,
                         const nlohmann::json& metrics) {
  Result<std::string> model = booster.Bytes();
  if (!model.ok()) return model.status();
  Result<StagedBundle> staged = StageBundle(dir);
  if (!staged.ok()) return staged.status();
  const nlohmann::json config = {{"format", kFormat},
                                 {"format_version", kRankerFormatVersion},
                                 {"feature_version", kRankerFeatureVersion},
                                 {"features", FeatureNames()},
                                 {"model_file", kModelFile},
                                 {"model_bytes", model->size()},
                                 {"model_fnv1a64", Hex64(Fnv1a64(*model))},
                                 {"train_fraction", train_fraction}};
  Status s = WriteWholeFile(staged->tmp / kModelFile, *model);
  if (s.ok()) s = WriteWholeFile(staged->tmp / "config.json", config.dump(2) + "\n");
  if (s.ok()) s = WriteWholeFile(staged->tmp / "metrics.json", metrics.dump(2) + "\n");
  return PublishBundle(*staged, s);
}

Result<RankerModel> LoadRankerBundle(const std::string& dir) {
  Result<OpenedBundle> b = OpenBundle(dir);
  if (!b.ok()) return b.status();
  if (Status s = CheckConfig(*b); !s.ok()) return s;
  double train_fraction = 0;
  if (Status s = JsonField(b->config, "train_fraction", b->config_file, &train_fraction); !s.ok()) return s;
  if (Result<nlohmann::json> m = ReadJsonObject(b->root / "metrics.json"); !m.ok()) return m.status();
  Result<std::string> bytes = ReadModelBytes(*b);
  if (!bytes.ok()) return bytes.status();
  Result<XgbBooster> booster = XgbBooster::FromBytes(*bytes);
  if (!booster.ok()) return Status::Corruption(dir + ": " + booster.status().message());
  if (booster->features() != kRankerFeatureCount) {
    return Status::Corruption(dir + ": the model takes " + std::to_string(booster->features()) + " features, not " +
                              std::to_string(kRankerFeatureCount));
  }
  return RankerModel{std::move(*booster), b->version, train_fraction};
}

}  // namespace segue::recommend
