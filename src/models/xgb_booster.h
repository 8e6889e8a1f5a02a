// XgbBooster: one XGBoost model behind the C API, for every XGBoost user in Segue (the disengagement
// baselines, baselines.h; the recommender's re-ranker, recommend/xgboost_ranker.h): fitting on a dense
// row-major matrix, batch prediction, and the model's bytes for bundles (XGBoost's UBJSON format).
//
// Thread-safety: Predict is safe concurrently on one booster (XGBoost >= 1.4 documents prediction as
// thread-safe; each call builds its own DMatrix and copies the result out of XGBoost's thread-local
// buffer before returning). Fit, FromBytes and the move operations are not concurrent with anything.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace segue {

struct XgbParams {
  std::string booster = "gbtree";  // or "gblinear" (logistic regression)
  int rounds = 200;
  int max_depth = 6;         // gbtree
  double eta = 0.1;
  double lambda = 1.0;       // L2
  double subsample = 0.8;    // gbtree
  bool balance = true;       // scale_pos_weight = negatives / positives
  int threads = 1;  // more OpenMP threads spin-wait badly on a busy 2-core machine (measured 15x slower)
  int seed = 7;
};

// A dense row-major matrix of `rows` × `cols` floats; NaN means missing.
struct XgbRows {
  const float* data = nullptr;
  size_t rows = 0;
  size_t cols = 0;
};

class XgbBooster {
 public:
  XgbBooster(XgbBooster&&) noexcept;
  XgbBooster& operator=(XgbBooster&&) noexcept;
  ~XgbBooster();

  // binary:logistic on 0/1 labels. kInvalidArgument when there is no example or only one class;
  // kInternal with XGBoost's message when the library fails.
  static Result<XgbBooster> Fit(XgbRows rows, std::span<const uint8_t> labels, const XgbParams& params);
  // A model saved by Bytes(); kCorruption with XGBoost's message when it does not load.
  static Result<XgbBooster> FromBytes(const std::string& bytes);

  // Probabilities of the positive class, one per row.
  Status Predict(XgbRows rows, std::vector<float>* out) const;
  Result<std::string> Bytes() const;  // UBJSON
  Result<std::string> JsonText() const;  // the same model as JSON text (to read a gblinear model's coefficients)
  size_t features() const { return features_; }

 private:
  XgbBooster() = default;
  void* booster_ = nullptr;  // BoosterHandle (keeps <xgboost/c_api.h> out of this header)
  size_t features_ = 0;
};

}  // namespace segue
