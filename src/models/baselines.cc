#include "models/baselines.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace segue {
namespace {

Status XgbError(const char* what) { return Status::Internal(std::string("xgboost ") + what + ": " + XGBGetLastError()); }

// Owns a DMatrixHandle.
class Matrix {
 public:
  ~Matrix() {
    if (handle_) XGDMatrixFree(handle_);
  }
  static Result<Matrix> FromRows(std::span<const TabularRow> rows) {
    Matrix m;
    if (XGDMatrixCreateFromMat(rows.empty() ? nullptr : rows.front().data(), rows.size(), kTabularFeatures,
                               std::nanf(""), &m.handle_) != 0) {
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

}  // namespace

TrailingSkipHeuristic TrailingSkipHeuristic::Fit(std::span<const int> trailing_skips, std::span<const uint8_t> labels) {
  std::array<double, kMaxCount + 1> positives{}, total{};
  for (size_t i = 0; i < trailing_skips.size(); ++i) {
    const int c = std::clamp(trailing_skips[i], 0, kMaxCount);
    total[c] += 1;
    positives[c] += labels[i] ? 1 : 0;
  }
  TrailingSkipHeuristic h;
  float running = 0;
  for (int c = 0; c <= kMaxCount; ++c) {
    // A count never seen in training inherits the rate below it; the running max keeps the
    // probability order equal to the skip-count order.
    const float rate = total[c] > 0 ? static_cast<float>(positives[c] / total[c]) : running;
    running = std::max(running, rate);
    h.rate_[c] = running;
  }
  return h;
}

float TrailingSkipHeuristic::Probability(int trailing_skips) const {
  return rate_[std::clamp(trailing_skips, 0, kMaxCount)];
}

XgbClassifier::XgbClassifier(XgbClassifier&& o) noexcept : booster_(std::exchange(o.booster_, nullptr)) {}

XgbClassifier& XgbClassifier::operator=(XgbClassifier&& o) noexcept {
  if (this != &o) {
    if (booster_) XGBoosterFree(booster_);
    booster_ = std::exchange(o.booster_, nullptr);
  }
  return *this;
}

XgbClassifier::~XgbClassifier() {
  if (booster_) XGBoosterFree(booster_);
}

Result<XgbClassifier> XgbClassifier::Fit(std::span<const TabularRow> rows, std::span<const uint8_t> labels,
                                         const XgbParams& p) {
  if (rows.empty() || rows.size() != labels.size()) {
    return Status::InvalidArgument("training rows: need at least one example with a label each");
  }
  const size_t positives = static_cast<size_t>(std::count(labels.begin(), labels.end(), 1));
  if (positives == 0 || positives == rows.size()) {
    return Status::InvalidArgument("training labels: need both classes, got " + std::to_string(positives) +
                                   " positives of " + std::to_string(rows.size()));
  }
  Result<Matrix> train = Matrix::FromRows(rows);
  if (!train.ok()) return train.status();
  std::vector<float> y(labels.begin(), labels.end());
  if (XGDMatrixSetFloatInfo(train->get(), "label", y.data(), y.size()) != 0) return XgbError("set labels");

  XgbClassifier model;
  DMatrixHandle train_handle = train->get();
  if (XGBoosterCreate(&train_handle, 1, &model.booster_) != 0) return XgbError("XGBoosterCreate");
  const double scale = p.balance ? static_cast<double>(rows.size() - positives) / positives : 1.0;
  std::vector<std::pair<std::string, std::string>> params = {
      {"booster", p.booster},
      {"objective", "binary:logistic"},
      {"eta", std::to_string(p.eta)},
      {"lambda", std::to_string(p.lambda)},
      {"scale_pos_weight", std::to_string(scale)},
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
  for (const auto& [key, value] : params) {
    if (XGBoosterSetParam(model.booster_, key.c_str(), value.c_str()) != 0) return XgbError(("param " + key).c_str());
  }
  for (int round = 0; round < p.rounds; ++round) {
    if (XGBoosterUpdateOneIter(model.booster_, round, train->get()) != 0) return XgbError("training round");
  }
  return model;
}

Result<std::vector<float>> XgbClassifier::Predict(std::span<const TabularRow> rows) const {
  if (rows.empty()) return std::vector<float>{};
  Result<Matrix> m = Matrix::FromRows(rows);
  if (!m.ok()) return m.status();
  bst_ulong len = 0;
  const float* out = nullptr;
  if (XGBoosterPredict(booster_, m->get(), 0, 0, 0, &len, &out) != 0) return XgbError("predict");
  if (len != rows.size()) return Status::Internal("xgboost predict: " + std::to_string(len) + " outputs for " +
                                                  std::to_string(rows.size()) + " rows");
  return std::vector<float>(out, out + len);
}

}  // namespace segue
