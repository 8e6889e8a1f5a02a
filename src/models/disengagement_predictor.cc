#include "models/disengagement_predictor.h"

#include <cmath>
#include <utility>

#include "features/session_features.h"

namespace segue {

std::string_view PredictorKindName(PredictorKind kind) {
  switch (kind) {
    case PredictorKind::kTransformer: return "transformer";
    case PredictorKind::kLogistic: return "logistic";
    case PredictorKind::kStacked: return "stacked";
  }
  return "transformer";
}

Result<PredictorKind> ParsePredictorKind(std::string_view name) {
  for (PredictorKind k : {PredictorKind::kTransformer, PredictorKind::kLogistic, PredictorKind::kStacked}) {
    if (name == PredictorKindName(k)) return k;
  }
  return Status::InvalidArgument("model kind '" + std::string(name) + "' is not one of transformer, logistic, stacked");
}

Result<std::shared_ptr<const DisengagementPredictor>> DisengagementPredictor::Create(
    PredictorKind kind, std::shared_ptr<const IncrementalEncoder> encoder, std::optional<LinearModel> logistic,
    BlendWeights blend) {
  const bool needs_encoder = kind != PredictorKind::kLogistic;
  const bool needs_logistic = kind != PredictorKind::kTransformer;
  const std::string name(PredictorKindName(kind));
  if (needs_encoder && encoder == nullptr) return Status::InvalidArgument(name + " model: no Transformer weights");
  if (needs_logistic && (!logistic || logistic->weights.size() != static_cast<size_t>(kTabularFeatures))) {
    return Status::InvalidArgument(name + " model: logistic regression needs " + std::to_string(kTabularFeatures) +
                                   " weights (feature spec v" + std::to_string(kFeatureSpecVersion) + ")");
  }
  if (!std::isfinite(blend.transformer) || !std::isfinite(blend.logistic) || !std::isfinite(blend.bias)) {
    return Status::InvalidArgument(name + " model: blend weights must be finite");
  }
  auto p = std::shared_ptr<DisengagementPredictor>(new DisengagementPredictor());
  p->kind_ = kind;
  if (needs_encoder) p->encoder_ = std::move(encoder);
  if (needs_logistic) p->logistic_ = std::move(*logistic);
  // Unused parts weigh nothing, whatever the file said.
  p->blend_ = {needs_encoder ? blend.transformer : 0.f, needs_logistic ? blend.logistic : 0.f, blend.bias};
  return std::shared_ptr<const DisengagementPredictor>(std::move(p));
}

EncoderCache DisengagementPredictor::NewCache() const { return encoder_ ? encoder_->NewCache() : EncoderCache{}; }

float DisengagementPredictor::Combine(const FeatureVector& fv, float transformer_probability) const {
  if (kind_ == PredictorKind::kTransformer) return transformer_probability;
  double z = blend_.bias;
  if (encoder_) z += static_cast<double>(blend_.transformer) * Logit(transformer_probability);
  const TabularRow row = TabularFeatures(fv);
  z += static_cast<double>(blend_.logistic) * logistic_.Margin(row);
  return static_cast<float>(1.0 / (1.0 + std::exp(-z)));
}

float DisengagementPredictor::Score(const FeatureVector& fv, EncoderCache& cache) const {
  return Combine(fv, encoder_ ? encoder_->Score(fv, cache) : 0.f);
}

float DisengagementPredictor::ScoreFresh(const FeatureVector& fv) const {
  return Combine(fv, encoder_ ? encoder_->ScoreFresh(fv) : 0.f);
}

}  // namespace segue
