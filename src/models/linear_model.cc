#include "models/linear_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

namespace segue {

double LinearModel::Margin(std::span<const float> x) const {
  double m = bias;
  const size_t n = std::min(x.size(), weights.size());
  for (size_t i = 0; i < n; ++i) m += static_cast<double>(weights[i]) * x[i];
  return m;
}

float LinearModel::Probability(std::span<const float> x) const {
  return static_cast<float>(1.0 / (1.0 + std::exp(-Margin(x))));
}

float Logit(float p) {
  const double q = std::clamp(static_cast<double>(p), 1e-6, 1.0 - 1e-6);
  return static_cast<float>(std::log(q / (1.0 - q)));
}

Result<LinearModel> LinearModelOf(const XgbBooster& booster) {
  Result<std::string> text = booster.JsonText();
  if (!text.ok()) return text.status();
  const nlohmann::json model = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  auto bad = [](const std::string& why) { return Status::Internal("xgboost gblinear model JSON: " + why); };
  if (!model.is_object()) return bad("not an object");
  const nlohmann::json learner = model.value("learner", nlohmann::json::object());
  const nlohmann::json gb = learner.value("gradient_booster", nlohmann::json::object());
  if (gb.value("name", "") != "gblinear") return bad("booster is not gblinear");
  const nlohmann::json w = gb.value("model", nlohmann::json::object()).value("weights", nlohmann::json::array());
  if (!w.is_array() || w.size() != booster.features() + 1) return bad("expected one weight per input and a bias");
  // base_score is stored as a string ("5E-1"); binary:logistic adds its logit to every margin.
  const nlohmann::json param = learner.value("learner_model_param", nlohmann::json::object());
  const std::string base_score = param.value("base_score", "0.5");
  char* end = nullptr;
  const double base = std::strtod(base_score.c_str(), &end);
  if (end == base_score.c_str() || !(base > 0 && base < 1)) return bad("base_score '" + base_score + "'");
  LinearModel out;
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    if (!w[i].is_number()) return bad("non-numeric weight");
    out.weights.push_back(w[i].get<float>());
  }
  if (!w.back().is_number()) return bad("non-numeric bias");
  out.bias = static_cast<float>(w.back().get<double>() + std::log(base / (1.0 - base)));
  return out;
}

Result<LinearModel> FitLinearModel(std::span<const float> rows, size_t cols, std::span<const uint8_t> labels,
                                   const XgbParams& params) {
  if (params.booster != "gblinear") return Status::InvalidArgument("linear model: booster must be gblinear");
  if (cols == 0 || rows.size() != cols * labels.size()) {
    return Status::InvalidArgument("linear model: rows and labels do not match");
  }
  Result<XgbBooster> booster = XgbBooster::Fit({rows.data(), labels.size(), cols}, labels, params);
  if (!booster.ok()) return booster.status();
  return LinearModelOf(*booster);
}

}  // namespace segue
