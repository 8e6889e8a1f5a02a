// The ranker bundle: one trained re-ranker on disk (`segue train ranker --out DIR`), loaded by the
// server ([recommend] ranker = "xgboost", ranker_dir) and `segue eval retrieval --ranker`.
//
//   DIR/config.json   {"format": "segue-ranker", "format_version": 1, "feature_version": N,
//                      "features": [names, layout order], "model_file": "model.ubj",
//                      "model_bytes": B, "model_fnv1a64": "<16 hex digits>", "train_fraction": F}
//   DIR/model.ubj     the XGBoost booster (UBJSON)
//   DIR/metrics.json  what training measured (ranker_training.h)
//
// Loading is strict: a wrong format or version, a feature list or version other than this build's
// (ranker_features.h), a model file whose size or hash differs from config.json, or one XGBoost cannot
// load is kCorruption (kNotFound for a missing folder or file), with the file named. Bundles are
// written staged (models/bundle_files.h) and immutable.
// Thread-safety: free functions; a loaded XgbBooster predicts concurrently.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "models/xgb_booster.h"

namespace segue::recommend {

inline constexpr int kRankerFormatVersion = 1;

struct RankerModel {
  XgbBooster booster;
  std::string version;   // the bundle folder's name
  double train_fraction = 0;  // examples came from plays before this share of each listener's time
};

// `metrics` is written as metrics.json.
Status WriteRankerBundle(const std::string& dir, const XgbBooster& booster, double train_fraction,
                         const nlohmann::json& metrics);
Result<RankerModel> LoadRankerBundle(const std::string& dir);

}  // namespace segue::recommend
