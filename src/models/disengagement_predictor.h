// DisengagementPredictor: the model a disengagement bundle serves, whichever kind it is, behind one
// scoring call for the server (DisengagementScorer), `segue eval --model` and the promotion gate.
//
// Kinds (config.json "model"):
//  - transformer: the Transformer alone (IncrementalEncoder), its probability as is (bundles before
//    format 2 are all of this kind);
//  - logistic:    logistic regression on the hand-made TabularFeatures (session_features.h), the
//                 "logistic" baseline itself: σ(margin);
//  - stacked:     both, blended by a logistic model fitted on the validation slice:
//                 σ(a·logit(p_transformer) + b·margin_logistic + c) (logistic_stack.h).
// Why a logistic kind at all: on new listeners logistic regression generalised better than the
// Transformer (docs/models.md, "Generalising to new listeners"); the bundle holds whichever wins.
//
// Contract: Score(fv, cache) == ScoreFresh(fv) up to float rounding, whatever the cache holds (the
// Transformer's incremental contract, incremental_encoder.h); a logistic predictor keeps nothing in the
// cache. Both read only `fv`, computed by the ONE feature implementation (session_features.h).
// Thread-safety: immutable after Create and safe to share; a cache is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "features/feature_spec.h"
#include "models/incremental_encoder.h"
#include "models/linear_model.h"

namespace segue {

enum class PredictorKind { kTransformer, kLogistic, kStacked };
std::string_view PredictorKindName(PredictorKind kind);  // "transformer", "logistic", "stacked"
Result<PredictorKind> ParsePredictorKind(std::string_view name);

// σ(transformer · logit(p_transformer) + logistic · margin + bias); the transformer kind is {1, 0, 0}.
struct BlendWeights {
  float transformer = 1;
  float logistic = 0;
  float bias = 0;
};

class DisengagementPredictor {
 public:
  // kInvalidArgument when the parts do not fit the kind: the Transformer kinds need `encoder`, the
  // logistic kinds need `logistic` with one weight per TabularFeatures input.
  static Result<std::shared_ptr<const DisengagementPredictor>> Create(PredictorKind kind,
                                                                      std::shared_ptr<const IncrementalEncoder> encoder,
                                                                      std::optional<LinearModel> logistic,
                                                                      BlendWeights blend);

  EncoderCache NewCache() const;
  float Score(const FeatureVector& fv, EncoderCache& cache) const;
  float ScoreFresh(const FeatureVector& fv) const;

  PredictorKind kind() const { return kind_; }

 private:
  DisengagementPredictor() = default;
  float Combine(const FeatureVector& fv, float transformer_probability) const;

  PredictorKind kind_ = PredictorKind::kTransformer;
  std::shared_ptr<const IncrementalEncoder> encoder_;  // null for the logistic kind
  LinearModel logistic_;                                // empty for the transformer kind
  BlendWeights blend_;
};

}  // namespace segue
