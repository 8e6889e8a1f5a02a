// The disengagement evaluation behind `segue eval disengagement`: one pass over an events file builds a
// compact table (per decision point: ExampleInfo, the baselines' TabularRow and, when a sequence model is
// given, its scores), then each split fits the baselines on its training part and scores every model on
// the same evaluation examples with the same metrics.
//
// Per model and split: ROC-AUC, PR-AUC (average precision), Precision@K, the false-positive rate and
// precision at the model's decision threshold, the expected calibration error (10 bins), and the WSDM
// Cup 2019 mean average accuracy / first-prediction accuracy of its skip predictor: for every eval session
// with at least 2 plays, play j of the second half (j >= floor(L/2)) is predicted at the decision point
// that ended play j-1, i.e. with the true history up to j-1 (teacher forcing; more information than the
// challenge's "first half only" setting, which is reported too: the prediction made at the end of the
// first half, repeated over the second half).
//
// Thresholds: baselines pick theirs on a validation slice of their training data (sessions with
// session % 5 == 0, not used for fitting) as the lowest score reaching `target_precision` (0.5 if none
// does); the heuristic's is two trailing skips; a sequence model brings its own (the bundle's).
// Not thread-safe; uses both cores inside XGBoost.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "events/event.h"
#include "features/session_features.h"
#include "models/dataset.h"

namespace segue {

// A sequence model scored while the table is built (keeps LibTorch out of this file: the caller wraps it).
struct SequenceModel {
  std::string name = "transformer";  // the report's key (the served model of a stacked / logistic bundle: served_<kind>)
  std::function<float(const FeatureVector&)> disengagement;  // probability of disengaging
  std::function<float(const FeatureVector&)> skip;           // P(next play skipped); empty if the model has none
  float threshold = 0.5f;
};

struct EvalTable {
  DatasetSummary summary;
  std::vector<ExampleInfo> info;
  std::vector<TabularRow> rows;
  std::vector<float> sequence_score;  // per example when a SequenceModel was given (NaN where not scored)
  std::vector<float> sequence_skip;   // likewise, when it has a skip head
  float sequence_threshold = 0.5f;    // SequenceModel::threshold
  std::string sequence_name = "transformer";  // SequenceModel::name: the report's key for it
};

// `score_mask(info)` says which examples the sequence model must score (all when empty).
Result<EvalTable> BuildEvalTable(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                                 const SequenceModel* sequence,
                                 const std::function<bool(const ExampleInfo&)>& score_mask = {});

struct ModelReport {
  double roc_auc = 0, pr_auc = 0;
  double precision_at_k = 0;
  size_t k = 0;
  double threshold = 0;
  double fpr_at_threshold = 0, precision_at_threshold = 0;
  double ece = 0;
  std::optional<double> mssd_mean_average_accuracy, mssd_first_prediction_accuracy;  // none: no skip predictor
  // The same mean average accuracy when every second-half play is predicted from the first half only
  // (the challenge's protocol; the first-prediction accuracy is the same in both).
  std::optional<double> mssd_first_half_mean_average_accuracy;
  size_t mssd_sessions = 0;
};

struct SplitReport {
  std::string split;  // "time" or "user"
  size_t train_examples = 0;
  size_t examples = 0;  // evaluated
  size_t positives = 0;
  std::map<std::string, ModelReport> models;
};

struct EvalOptions {
  double target_precision = 0.9;
  double k_fraction = 0.05;  // Precision@K with K = k_fraction * eval examples (at least 1)
  bool progress = false;
};

// Both splits share one training part, the one `segue train disengagement` uses: sessions in the first
// part of each listener's time, held-out listeners excluded. Evaluation parts: kTime = the later
// sessions of the other listeners; kUser = every decision point of the held-out listeners.
enum class SplitKind { kTime, kUser };
bool IsEval(const ExampleInfo& info, SplitKind split);

// Fits the baselines on `baseline_train` (the shared training part of `table` when null; every
// example of it otherwise) and evaluates all models on the split's evaluation part of `table`.
Result<SplitReport> EvaluateSplit(const EvalTable& table, SplitKind split, const EvalTable* baseline_train,
                                  const EvalOptions& options);

}  // namespace segue
