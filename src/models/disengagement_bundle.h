// A disengagement model bundle: the self-describing folder `segue train disengagement` writes and
// `segue serve --models DIR` / `segue eval --model DIR` load. Plain C++ types only (no LibTorch).
//
// Layout of <models_dir>/<version>/:
//   config.json      format + version, model kind (transformer, logistic or stacked:
//                    disengagement_predictor.h), feature_spec_version, architecture, label config, decision
//                    threshold (+ the target precision it was chosen for), training summary; for the
//                    logistic kinds the coefficients ("logistic": input names, weights, bias) and the blend
//   weights.bin      the Transformer's weights (transformer_weights.h: named float tensors, checksummed);
//                    absent for the logistic kind
//   skip_weights.bin optional: the skip head, a second Transformer of the same architecture trained on
//                    "the next play of the session is skipped" (the WSDM Cup metrics of `segue eval`);
//                    present iff config.json has a "skip_head" entry. Bundles without it still load.
//   metrics.json     validation metrics of the best epoch and the per-epoch history
//   score_histogram.json  validation score distribution (the drift reference for monitoring)
// Versions are sub-folder names; "newest" is the greatest name in natural order (digit runs compare
// numerically: v10 > v9), so use sortable names such as v0003 or 20261128-1412.
//
// Contract: Save writes into a temporary sibling folder and renames it into place, so a reader never
// sees a half-written bundle; it refuses to overwrite an existing bundle. Load validates everything it
// reads (JSON shape, feature-spec version equal to this build's, weights checksum and shapes, logistic
// input names equal to this build's TabularFeatures) and returns kNotFound / kCorruption /
// kInvalidArgument with the file and field named; it never throws. Format 1 bundles (Transformer only,
// before the logistic kinds) still load; a newer format is refused naming both versions.
// Thread-safety: free functions on plain values; concurrent Saves to the same folder are not supported.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "models/disengagement_predictor.h"
#include "models/disengagement_trainer.h"
#include "models/incremental_encoder.h"
#include "models/labels.h"
#include "models/linear_model.h"
#include "models/score_histogram.h"
#include "models/transformer_config.h"
#include "models/transformer_weights.h"
#include "session/engagement_counts.h"

namespace segue {

inline constexpr int kBundleFormatVersion = 2;  // 2: model kinds logistic and stacked

struct BundleMetrics {
  size_t examples = 0, positives = 0;
  double roc_auc = 0, pr_auc = 0;
  double precision_at_k = 0;
  size_t k = 0;
  double precision_at_threshold = 0, recall_at_threshold = 0, fpr_at_threshold = 0;
  double ece = 0;
};

struct DisengagementBundle {
  std::string version;  // folder name (filled by Load)
  uint32_t feature_spec_version = 0;
  PredictorKind kind = PredictorKind::kTransformer;
  TransformerConfig architecture;
  TransformerWeights weights;  // empty for the logistic kind
  std::optional<LinearModel> logistic;  // the logistic kinds: coefficients over TabularFeatures
  BlendWeights blend;                   // how the parts combine (disengagement_predictor.h)
  // The skip head (see the layout above); nullopt when the bundle has none.
  std::optional<TransformerWeights> skip_weights;
  int skip_best_epoch = 0;
  size_t skip_train_examples = 0;
  double skip_valid_roc_auc = 0;  // best epoch's validation ROC-AUC of the skip head
  LabelConfig labels;
  float threshold = 0.5f;         // decision threshold on the probability
  double target_precision = 0.6;  // what the threshold was chosen for on validation
  bool target_reached = false;    // false: no threshold reached it, `threshold` is the 0.5 fallback
  // Training summary.
  std::string created;  // RFC 3339
  std::string source;   // events file it was trained on
  size_t train_examples = 0;
  int best_epoch = 0;
  float pos_weight = 1;
  BundleMetrics validation;
  std::vector<EpochReport> history;
  // Skip and exit counts of the events it was trained from (engagement drift's baseline); nullopt for
  // bundles written without them.
  std::optional<EngagementCounts> training_engagement;
  // Validation scores in kScoreHistogramBins bins (score_histogram.h); empty for bundles saved without one.
  std::vector<uint64_t> score_histogram;
};

// Validation metrics, threshold (lowest reaching target_precision) and histogram from the validation
// scores of the final model; fills bundle->validation, threshold, target_reached and score_histogram.
void SummariseValidation(const std::vector<float>& scores, const std::vector<uint8_t>& labels,
                         DisengagementBundle* bundle);

Status SaveBundle(const DisengagementBundle& bundle, const std::string& dir);
Result<DisengagementBundle> LoadBundle(const std::string& dir);

// The version order: digit runs compare as numbers, the rest byte-wise (v10 > v9).
bool NaturalLess(const std::string& a, const std::string& b);

// The newest bundle folder under `models_dir` (see above); kNotFound when there is none.
Result<std::string> FindNewestBundle(const std::string& models_dir);

// A bundle ready to score: LoadBundle plus the serving engines built from its weights (the weights are
// dropped from `bundle` once the engines hold them). `predictor` scores what the bundle serves, whatever
// its kind; `encoder` is its Transformer (null for the logistic kind); `skip_encoder` scores the skip head
// and is null when the bundle has none. For the server (DisengagementScorer) and for offline scoring
// (`segue eval --model DIR`: predictor->ScoreFresh(features), or Score with a cache per listener when
// examples come listener by listener).
struct ScoringBundle {
  DisengagementBundle bundle;
  std::shared_ptr<const DisengagementPredictor> predictor;
  std::shared_ptr<const IncrementalEncoder> encoder;
  std::shared_ptr<const IncrementalEncoder> skip_encoder;  // P(next play skipped); null without a skip head
};
Result<ScoringBundle> LoadScoringBundle(const std::string& dir);
// The same from a bundle in memory (a training's result, before or without saving it).
Result<ScoringBundle> MakeScoringBundle(DisengagementBundle bundle);

}  // namespace segue
