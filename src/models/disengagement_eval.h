// The disengagement evaluation behind `segue eval disengagement`: one pass over an events file builds a
// compact table (per decision point: ExampleInfo, the baselines' TabularRow and, when a sequence model is
// given, its scores), then each split fits the baselines on its training part and scores every model on
// the same evaluation examples with the same metrics.
//
// Per model and split: ROC-AUC, PR-AUC (average precision), Precision@K, the false-positive rate,
// precision and recall at the model's decision threshold (each point against the threshold of the
// model that scored it; the reported threshold is NaN when the folds' models differ), the expected calibration error (10 bins), and the WSDM
// Cup 2019 mean average accuracy / first-prediction accuracy of its skip predictor: for every eval session
// with at least 2 plays, play j of the second half (j >= floor(L/2)) is predicted at the decision point
// that ended play j-1, i.e. with the true history up to j-1 (teacher forcing; more information than the
// challenge's "first half only" setting, which is reported too: the prediction made at the end of the
// first half, repeated over the second half).
//
// Intervals: ROC-AUC, PR-AUC and the three WSDM metrics of a report get a 95 % bootstrap interval
// (cluster_bootstrap.h; `resamples` resamples, seeded, drawing whole sessions — or whole listeners, the
// wider interval when few listeners stand behind the points), and every model other than the served one
// ("transformer", when present) the paired interval of its difference to it on the same resamples
// (served minus baseline), so "better" can be read as "the interval excludes 0".
//
// Cross-validation by listener (EvaluateFolds): per fold the baselines are fitted on the other folds'
// listeners (validation slice session % 5 == 0, as below) and score the fold's listeners; the sequence
// model's scores are taken from the table, where the caller put each example's score by the model of
// its fold (and that model's threshold). Pooled metrics are over all folds' scores together.
//
// Thresholds: baselines pick theirs on a validation slice of their training data (sessions with
// session % 5 == 0, not used for fitting) as the lowest score reaching `target_precision` (0.5 if none
// does); the heuristic's is two trailing skips; a sequence model brings its own (the bundle's).
// Not thread-safe; uses both cores inside XGBoost.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "events/event.h"
#include "features/session_features.h"
#include "models/dataset.h"
#include "models/cluster_bootstrap.h"

namespace segue {

// A sequence model scored while the table is built (keeps LibTorch out of this file: the caller wraps it).
struct SequenceModel {
  std::string name = "transformer";
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
  std::vector<float> sequence_threshold;  // per example: the decision threshold of the model that scored it
  // Per dense listener index (ExampleInfo::user); "" for a listener of the file without a decision point.
  std::vector<std::string> user_ids;
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
  double fpr_at_threshold = 0, precision_at_threshold = 0, recall_at_threshold = 0;
  double ece = 0;
  std::optional<double> mssd_mean_average_accuracy, mssd_first_prediction_accuracy;  // none: no skip predictor
  // The same mean average accuracy when every second-half play is predicted from the first half only
  // (the challenge's protocol; the first-prediction accuracy is the same in both).
  std::optional<double> mssd_first_half_mean_average_accuracy;
  size_t mssd_sessions = 0;
  // 95 % bootstrap intervals by metric name (the JSON key of the metric); empty without resamples.
  std::map<std::string, Interval> ci95;
};

// The served model minus one other model on the same points and resamples.
struct PairedDifference {
  std::map<std::string, double> point;     // by metric name
  std::map<std::string, Interval> ci95;
};

struct SplitReport {
  std::string split;  // "time" or "user"
  size_t train_examples = 0;
  size_t examples = 0;  // evaluated
  size_t positives = 0;
  size_t listeners = 0, sessions = 0;  // behind the evaluated points
  std::map<std::string, ModelReport> models;
  std::string reference;  // the served model the differences are to ("" when absent)
  std::map<std::string, PairedDifference> paired;  // by other model
  int resamples = 0;
  std::string bootstrap_unit;  // EvalOptions::bootstrap_unit
};

// The model's skip decision per evaluated example (1/0), or -1 where it made none.
using SkipDecisions = std::vector<int8_t>;

// One model's outputs on the evaluated examples (parallel to ScoredSplit::eval).
struct ModelScores {
  std::vector<float> prob;
  std::vector<float> threshold;  // per example: one per fold under cross-validation
  SkipDecisions skip;            // empty: the model has no skip predictor
};

struct ScoredSplit {
  std::string split;
  std::vector<size_t> eval;  // indices into the table
  size_t train_examples = 0;
  std::map<std::string, ModelScores> models;
};

struct CrossValidation {
  SplitReport pooled;
  std::vector<SplitReport> folds;  // point metrics only
};

inline constexpr const char* kBootstrapBySession = "session";
inline constexpr const char* kBootstrapByListener = "listener";

struct EvalOptions {
  double target_precision = 0.9;
  double k_fraction = 0.05;  // Precision@K with K = k_fraction * eval examples (at least 1)
  int resamples = 1000;      // bootstrap resamples (0: no intervals)
  uint64_t seed = 1;         // of the bootstrap
  std::string bootstrap_unit = kBootstrapBySession;  // what a resample draws: kBootstrapBySession or kBootstrapByListener
  bool progress = false;
};

// Both splits share one training part, the one `segue train disengagement` uses: sessions in the first
// part of each listener's time, held-out listeners excluded. Evaluation parts: kTime = the later
// sessions of the other listeners; kUser = every decision point of the held-out listeners.
// kAll = every decision point (a file of listeners the models never saw).
enum class SplitKind { kTime, kUser, kAll };
bool IsEval(const ExampleInfo& info, SplitKind split);

// Fits the baselines on `baseline_train` (the shared training part of `table` when null; every
// example of it otherwise) and evaluates all models on the split's evaluation part of `table`.
// kAll without `baseline_train` evaluates the sequence model only (no data is left to fit baselines on).
Result<SplitReport> EvaluateSplit(const EvalTable& table, SplitKind split, const EvalTable* baseline_train,
                                  const EvalOptions& options);

// Cross-validation by listener: `fold_of_user[u]` for every listener of the table (listener_folds.h).
Result<CrossValidation> EvaluateFolds(const EvalTable& table, std::span<const uint32_t> fold_of_user, uint32_t folds,
                                      const EvalOptions& options);

// The metrics (and, with options.resamples, intervals and paired differences) of scored examples.
SplitReport ReportScores(const EvalTable& table, const ScoredSplit& scored, const EvalOptions& options);

}  // namespace segue
