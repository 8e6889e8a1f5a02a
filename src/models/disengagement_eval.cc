#include "models/disengagement_eval.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <unordered_map>

#include "models/baselines.h"
#include "models/metrics.h"
#include "models/mssd_metrics.h"

namespace segue {
namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr uint32_t kValidationModulus = 5;  // session % 5 == 0 → threshold-selection slice
constexpr float kFallbackThreshold = 0.5f;
constexpr int kTrailingSkipsColumn = kContextNumeric + kStepNumeric + 5;  // "agg_trailing_skips"

// One training set for both splits, the one `segue train disengagement` uses: the first part of each
// listener's time, held-out listeners excluded. Both evaluation sets are then unseen by every model.
bool IsTrain(const ExampleInfo& info) { return info.time_train && !info.holdout_user; }

std::vector<TabularRow> Gather(const std::vector<TabularRow>& rows, const std::vector<size_t>& idx) {
  std::vector<TabularRow> out;
  out.reserve(idx.size());
  for (size_t i : idx) out.push_back(rows[i]);
  return out;
}

template <typename F>
std::vector<uint8_t> Labels(const EvalTable& t, const std::vector<size_t>& idx, F label_of) {
  std::vector<uint8_t> out;
  out.reserve(idx.size());
  for (size_t i : idx) out.push_back(label_of(t.info[i]));
  return out;
}

// The model's skip decision per eval example (1/0), or -1 where it made none.
using SkipDecisions = std::vector<int8_t>;

ModelReport Score(const EvalTable& t, const std::vector<size_t>& eval, const std::vector<float>& prob,
                  float threshold, const SkipDecisions* skip, const EvalOptions& options) {
  const std::vector<uint8_t> y = Labels(t, eval, [](const ExampleInfo& i) { return i.label; });
  ModelReport r;
  r.roc_auc = RocAuc(prob, y);
  r.pr_auc = AveragePrecision(prob, y);
  r.k = std::max<size_t>(1, static_cast<size_t>(std::llround(options.k_fraction * static_cast<double>(eval.size()))));
  r.precision_at_k = PrecisionAtK(prob, y, r.k);
  r.threshold = threshold;
  r.fpr_at_threshold = FalsePositiveRate(prob, y, threshold);
  r.precision_at_threshold = PrecisionAt(prob, y, threshold);
  r.ece = ExpectedCalibrationError(prob, y);
  if (skip != nullptr) {
    std::unordered_map<uint32_t, SkipSequence> sessions;
    std::vector<uint32_t> order;
    for (size_t e = 0; e < eval.size(); ++e) {
      const ExampleInfo& info = t.info[eval[e]];
      if (info.ended_play < 0 || info.next_play_skipped < 0 || (*skip)[e] < 0) continue;
      if (info.session_plays < 2 || static_cast<size_t>(info.ended_play + 1) < SecondHalfStart(info.session_plays)) continue;
      auto [it, inserted] = sessions.try_emplace(info.session);
      if (inserted) order.push_back(info.session);
      it->second.predicted.push_back(static_cast<uint8_t>((*skip)[e]));
      it->second.actual.push_back(static_cast<uint8_t>(info.next_play_skipped));
    }
    std::vector<SkipSequence> seqs;
    seqs.reserve(order.size());
    for (uint32_t s : order) seqs.push_back(std::move(sessions[s]));
    r.mssd_sessions = seqs.size();
    r.mssd_mean_average_accuracy = MeanAverageAccuracy(seqs);
    r.mssd_first_prediction_accuracy = FirstPredictionAccuracy(seqs);
    // The challenge's protocol: only the first half is known. The first second-half prediction was
    // made at the end of the first half, so repeating it over the whole second half is exactly that.
    for (SkipSequence& seq : seqs) std::fill(seq.predicted.begin(), seq.predicted.end(), seq.predicted.front());
    r.mssd_first_half_mean_average_accuracy = MeanAverageAccuracy(seqs);
  }
  return r;
}

struct Fitted {
  std::vector<float> eval_prob;
  float threshold = kFallbackThreshold;
  SkipDecisions skip;
};

Result<Fitted> FitXgb(const XgbParams& params, const EvalTable& train, const std::vector<size_t>& fit,
                      const std::vector<size_t>& validation, const EvalTable& table, const std::vector<size_t>& eval,
                      const EvalOptions& options) {
  auto label = [](const ExampleInfo& i) { return i.label; };
  Result<XgbClassifier> model = XgbClassifier::Fit(Gather(train.rows, fit), Labels(train, fit, label), params);
  if (!model.ok()) return model.status();
  Fitted out;
  Result<std::vector<float>> val = model->Predict(Gather(train.rows, validation));
  if (!val.ok()) return val.status();
  if (std::optional<float> th = ThresholdForPrecision(*val, Labels(train, validation, label), options.target_precision)) {
    out.threshold = *th;
  }
  const std::vector<TabularRow> eval_rows = Gather(table.rows, eval);
  Result<std::vector<float>> prob = model->Predict(eval_rows);
  if (!prob.ok()) return prob.status();
  out.eval_prob = std::move(*prob);

  // The skip predictor: same features, target "the next play is skipped", no class balancing (its
  // decisions use 0.5, the natural threshold of an unweighted classifier).
  std::vector<size_t> skip_fit;
  for (size_t i : fit) {
    if (train.info[i].next_play_skipped >= 0) skip_fit.push_back(i);
  }
  XgbParams skip_params = params;
  skip_params.balance = false;
  Result<XgbClassifier> skip_model = XgbClassifier::Fit(
      Gather(train.rows, skip_fit),
      Labels(train, skip_fit, [](const ExampleInfo& i) { return static_cast<uint8_t>(i.next_play_skipped); }),
      skip_params);
  if (!skip_model.ok()) return skip_model.status();
  Result<std::vector<float>> skip_prob = skip_model->Predict(eval_rows);
  if (!skip_prob.ok()) return skip_prob.status();
  out.skip.reserve(eval.size());
  for (float p : *skip_prob) out.skip.push_back(p >= 0.5f ? 1 : 0);
  return out;
}

}  // namespace

bool IsEval(const ExampleInfo& info, SplitKind split) {
  return split == SplitKind::kTime ? !info.time_train && !info.holdout_user : info.holdout_user;
}

Result<EvalTable> BuildEvalTable(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                                 const SequenceModel* sequence,
                                 const std::function<bool(const ExampleInfo&)>& score_mask) {
  EvalTable table;
  Result<DatasetSummary> summary =
      ForEachExample(std::move(events), catalog, options, [&](const ExampleInfo& info, const FeatureVector& f) {
        table.info.push_back(info);
        table.rows.push_back(TabularFeatures(f));
        if (sequence == nullptr) return;
        const bool score = !score_mask || score_mask(info);
        table.sequence_score.push_back(score ? sequence->disengagement(f) : kNaNf);
        if (sequence->skip) table.sequence_skip.push_back(score ? sequence->skip(f) : kNaNf);
      });
  if (!summary.ok()) return summary.status();
  table.summary = *summary;
  if (sequence != nullptr) {
    table.sequence_threshold = sequence->threshold;
    table.sequence_name = sequence->name;
  }
  return table;
}

Result<SplitReport> EvaluateSplit(const EvalTable& table, SplitKind split, const EvalTable* baseline_train,
                                  const EvalOptions& options) {
  SplitReport report;
  report.split = split == SplitKind::kTime ? "time" : "user";
  const EvalTable& train = baseline_train ? *baseline_train : table;
  std::vector<size_t> fit, validation, eval;
  for (size_t i = 0; i < train.info.size(); ++i) {
    if (baseline_train == nullptr && !IsTrain(train.info[i])) continue;
    (train.info[i].session % kValidationModulus == 0 ? validation : fit).push_back(i);
  }
  for (size_t i = 0; i < table.info.size(); ++i) {
    if (IsEval(table.info[i], split)) eval.push_back(i);
  }
  report.train_examples = fit.size() + validation.size();
  report.examples = eval.size();
  for (size_t i : eval) report.positives += table.info[i].label;
  if (eval.empty()) return Status::InvalidArgument(report.split + " split: no evaluation example");
  if (fit.empty() || validation.empty()) return Status::InvalidArgument(report.split + " split: too few training sessions");

  // Heuristic: trailing consecutive skips.
  {
    std::vector<int> counts;
    std::vector<uint8_t> labels;
    for (const std::vector<size_t>* part : {&fit, &validation}) {
      for (size_t i : *part) {
        counts.push_back(static_cast<int>(train.rows[i][kTrailingSkipsColumn]));
        labels.push_back(train.info[i].label);
      }
    }
    const TrailingSkipHeuristic h = TrailingSkipHeuristic::Fit(counts, labels);
    std::vector<float> prob;
    SkipDecisions skip;
    for (size_t i : eval) {
      const int c = static_cast<int>(table.rows[i][kTrailingSkipsColumn]);
      prob.push_back(h.Probability(c));
      skip.push_back(c >= 1 ? 1 : 0);  // the last ended play was skipped → the next one will be
    }
    report.models["heuristic"] = Score(table, eval, prob, h.threshold(), &skip, options);
  }

  XgbParams trees;
  for (const auto& [name, params] :
       {std::pair<std::string, XgbParams>{"logistic", LogisticRegressionParams()}, {"xgboost", trees}}) {
    if (options.progress) std::cerr << report.split << " split: fitting " << name << " on " << fit.size() << " examples\n";
    Result<Fitted> fitted = FitXgb(params, train, fit, validation, table, eval, options);
    if (!fitted.ok()) return Status(fitted.status().code(), name + ": " + fitted.status().message());
    report.models[name] = Score(table, eval, fitted->eval_prob, fitted->threshold, &fitted->skip, options);
  }

  if (!table.sequence_score.empty()) {
    std::vector<float> prob;
    SkipDecisions skip;
    for (size_t i : eval) {
      prob.push_back(table.sequence_score[i]);
      if (!table.sequence_skip.empty()) skip.push_back(table.sequence_skip[i] >= 0.5f ? 1 : 0);
    }
    if (std::any_of(prob.begin(), prob.end(), [](float p) { return std::isnan(p); })) {
      return Status::Internal(report.split + " split: the sequence model did not score every evaluation example");
    }
    report.models[table.sequence_name] = Score(table, eval, prob, table.sequence_threshold, skip.empty() ? nullptr : &skip, options);
  }
  return report;
}

}  // namespace segue
