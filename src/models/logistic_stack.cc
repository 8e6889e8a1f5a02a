#include "models/logistic_stack.h"

#include "features/session_features.h"
#include "models/baselines.h"

namespace segue {
namespace {

std::vector<float> FlatTabular(const std::vector<FeatureVector>& x) {
  std::vector<float> out;
  out.reserve(x.size() * kTabularFeatures);
  for (const FeatureVector& f : x) {
    const TabularRow row = TabularFeatures(f);
    out.insert(out.end(), row.begin(), row.end());
  }
  return out;
}

}  // namespace

Result<LogisticStack> FitLogisticStack(const std::vector<FeatureVector>& train_x, const std::vector<uint8_t>& train_y,
                                       const std::vector<FeatureVector>& valid_x, const std::vector<uint8_t>& valid_y,
                                       std::span<const float> valid_transformer) {
  const bool stacked = !valid_transformer.empty();
  if (stacked && valid_transformer.size() != valid_x.size()) {
    return Status::InvalidArgument("stack: one Transformer score per validation example expected");
  }
  LogisticStack out;
  Result<LinearModel> logistic =
      FitLinearModel(FlatTabular(train_x), kTabularFeatures, train_y, LogisticRegressionParams());
  if (!logistic.ok()) return Status(logistic.status().code(), "logistic regression: " + logistic.status().message());
  out.logistic = std::move(*logistic);
  out.valid_scores.reserve(valid_x.size());
  if (!stacked) {
    out.blend = {0.f, 1.f, 0.f};
    for (const FeatureVector& f : valid_x) out.valid_scores.push_back(out.logistic.Probability(TabularFeatures(f)));
    return out;
  }

  // Blend inputs per validation example: logit(p_transformer), logistic margin.
  std::vector<float> inputs;
  inputs.reserve(valid_x.size() * 2);
  for (size_t i = 0; i < valid_x.size(); ++i) {
    inputs.push_back(Logit(valid_transformer[i]));
    inputs.push_back(static_cast<float>(out.logistic.Margin(TabularFeatures(valid_x[i]))));
  }
  XgbParams blend_params = LogisticRegressionParams();
  blend_params.rounds = 300;  // two correlated inputs: coordinate descent needs more rounds
  Result<LinearModel> blend = FitLinearModel(inputs, 2, valid_y, blend_params);
  if (!blend.ok()) return Status(blend.status().code(), "blend: " + blend.status().message());
  out.blend = {blend->weights[0], blend->weights[1], blend->bias};
  for (size_t i = 0; i < valid_x.size(); ++i) {
    out.valid_scores.push_back(blend->Probability(std::span<const float>(inputs).subspan(i * 2, 2)));
  }
  return out;
}

}  // namespace segue
