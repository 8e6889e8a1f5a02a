#include "models/xgb_booster.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace segue {
namespace {

Status XgbError(const std::string& what) { return Status::Internal("xgboost " + what + ": " + XGBGetLastError()); }

// Owns a DMatrixHandle.
class Matrix {
 public:
  ~Matrix() {
    if (handle_) XGDMatrixFree(handle_);
  }
  static Result<Matrix> FromRows(XgbRows rows) {
    Matrix m;
    if (XGDMatrixCreateFromMat(rows.data, rows.rows, rows.cols, std::nanf(""), &m.handle_) != 0) {
      return XgbError("XGDMatrixCreateFromMat");
    }
    return m;
  }
  Matrix(Matrix&& o) noexcept : handle_(std::exchange(o.handle_, nullptr)) {}
  DMatrixHandle get() const { return handle_; }

 private:
  Matrix() = default;
  DMatrixHandle handle_ = nullptr;
};

std::vector<std::pair<std::string, std::string>> ParamsOf(const XgbParams& p, double scale_pos_weight) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"booster", p.booster},
      {"objective", "binary:logistic"},
      {"eta", std::to_string(p.eta)},
      {"lambda", std::to_string(p.lambda)},
      {"scale_pos_weight", std::to_string(scale_pos_weight)},
      {"nthread", std::to_string(p.booster == "gblinear" ? 1 : p.threads)},
      {"seed", std::to_string(p.seed)},
      {"verbosity", "0"},
  };
  if (p.booster == "gbtree") {
    params.insert(params.end(), {{"tree_method", "hist"},
                                 {"max_depth", std::to_string(p.max_depth)},
                                 {"subsample", std::to_string(p.subsample)},
                                 {"min_child_weight", "1"}});
  } else {
    // "shotgun" on one thread: one O(non-zeros) pass per round and deterministic ("coord_descent"
    // re-computes the gradient per feature and was ~50x slower on 40k examples).
    params.insert(params.end(), {{"updater", "shotgun"}, {"feature_selector", "cyclic"}});
  }
  return params;
}

}  // namespace

XgbBooster::XgbBooster(XgbBooster&& o) noexcept
    : booster_(std::exchange(o.booster_, nullptr)), features_(std::exchange(o.features_, 0)) {}

XgbBooster& XgbBooster::operator=(XgbBooster&& o) noexcept {
  if (this != &o) {
    if (booster_) XGBoosterFree(booster_);
    booster_ = std::exchange(o.booster_, nullptr);
    features_ = std::exchange(o.features_, 0);
  }
  return *this;
}

XgbBooster::~XgbBooster() {
  if (booster_) XGBoosterFree(booster_);
}

Result<XgbBooster> XgbBooster::Fit(XgbRows rows, std::span<const uint8_t> labels, const XgbParams& p) {
  if (rows.rows == 0 || rows.cols == 0 || rows.rows != labels.size()) {
    return Status::InvalidArgument("training rows: need at least one example with a label each");
  }
  const size_t positives = static_cast<size_t>(std::count(labels.begin(), labels.end(), 1));
  if (positives == 0 || positives == rows.rows) {
    return Status::InvalidArgument("training labels: need both classes, got " + std::to_string(positives) +
                                   " positives of " + std::to_string(rows.rows));
  }
  Result<Matrix> train = Matrix::FromRows(rows);
  if (!train.ok()) return train.status();
  std::vector<float> y(labels.begin(), labels.end());
  if (XGDMatrixSetFloatInfo(train->get(), "label", y.data(), y.size()) != 0) return XgbError("set labels");

  XgbBooster model;
  model.features_ = rows.cols;
  DMatrixHandle train_handle = train->get();
  if (XGBoosterCreate(&train_handle, 1, &model.booster_) != 0) return XgbError("XGBoosterCreate");
  const double scale = p.balance ? static_cast<double>(rows.rows - positives) / static_cast<double>(positives) : 1.0;
  for (const auto& [key, value] : ParamsOf(p, scale)) {
    if (XGBoosterSetParam(model.booster_, key.c_str(), value.c_str()) != 0) return XgbError("param " + key);
  }
  for (int round = 0; round < p.rounds; ++round) {
    if (XGBoosterUpdateOneIter(model.booster_, round, train->get()) != 0) return XgbError("training round");
  }
  return model;
}

Result<XgbBooster> XgbBooster::FromBytes(const std::string& bytes) {
  XgbBooster model;
  if (XGBoosterCreate(nullptr, 0, &model.booster_) != 0) return XgbError("XGBoosterCreate");
  if (XGBoosterLoadModelFromBuffer(model.booster_, bytes.data(), bytes.size()) != 0) {
    return Status::Corruption(std::string("xgboost model does not load: ") + XGBGetLastError());
  }
  bst_ulong features = 0;
  if (XGBoosterGetNumFeature(model.booster_, &features) != 0) return XgbError("XGBoosterGetNumFeature");
  model.features_ = features;
  // One thread per prediction: the recommender's workers are the parallelism (see XgbParams::threads).
  if (XGBoosterSetParam(model.booster_, "nthread", "1") != 0) return XgbError("param nthread");
  return model;
}

Status XgbBooster::Predict(XgbRows rows, std::vector<float>* out) const {
  out->clear();
  if (rows.rows == 0) return Status::Ok();
  if (rows.cols != features_) {
    return Status::InvalidArgument("xgboost predict: rows have " + std::to_string(rows.cols) +
                                   " features, the model " + std::to_string(features_));
  }
  Result<Matrix> m = Matrix::FromRows(rows);
  if (!m.ok()) return m.status();
  static constexpr char kConfig[] =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  if (XGBoosterPredictFromDMatrix(booster_, m->get(), kConfig, &shape, &dim, &result) != 0) {
    return XgbError("predict");
  }
  if (dim != 1 || shape[0] != rows.rows) {
    return Status::Internal("xgboost predict: unexpected output shape for " + std::to_string(rows.rows) + " rows");
  }
  out->assign(result, result + rows.rows);  // XGBoost's buffer is thread-local and reused by the next call
  return Status::Ok();
}

namespace {

Result<std::string> SaveAs(void* booster, const char* config) {
  bst_ulong len = 0;
  const char* data = nullptr;
  if (XGBoosterSaveModelToBuffer(booster, config, &len, &data) != 0) return XgbError("save");
  return std::string(data, len);
}

}  // namespace

Result<std::string> XgbBooster::Bytes() const { return SaveAs(booster_, R"({"format": "ubj"})"); }
Result<std::string> XgbBooster::JsonText() const { return SaveAs(booster_, R"({"format": "json"})"); }

}  // namespace segue
