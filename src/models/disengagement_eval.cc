#include "models/disengagement_eval.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <functional>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "models/baselines.h"
#include "models/listener_folds.h"
#include "models/metrics.h"
#include "models/mssd_metrics.h"

namespace segue {
namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr float kFallbackThreshold = 0.5f;
constexpr const char* kServedModel = "transformer";
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

std::vector<uint8_t> EvalLabels(const EvalTable& t, const std::vector<size_t>& eval) {
  return Labels(t, eval, [](const ExampleInfo& i) { return i.label; });
}

// Precision, recall and false-positive rate of "prob >= the example's threshold".
struct OperatingPoint {
  double precision = kNaN, recall = kNaN, fpr = kNaN;
};
OperatingPoint AtThresholds(const ModelScores& m, const std::vector<uint8_t>& y) {
  size_t tp = 0, fp = 0, positives = 0;
  for (size_t e = 0; e < y.size(); ++e) {
    const bool fire = m.prob[e] >= m.threshold[e];
    positives += y[e];
    tp += fire && y[e];
    fp += fire && !y[e];
  }
  const size_t negatives = y.size() - positives;
  auto ratio = [](size_t a, size_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : kNaN; };
  return {ratio(tp, tp + fp), ratio(tp, positives), ratio(fp, negatives)};
}

// The sessions of the evaluated points: a dense index per position (first-seen order) and the number of
// points of each.
struct SessionIndex {
  std::vector<uint32_t> of;
  std::vector<uint32_t> points;
};

SessionIndex IndexSessions(const EvalTable& t, const std::vector<size_t>& eval) {
  SessionIndex index;
  std::unordered_map<uint32_t, uint32_t> dense;
  for (size_t i : eval) {
    auto [it, inserted] = dense.try_emplace(t.info[i].session, static_cast<uint32_t>(index.points.size()));
    if (inserted) index.points.push_back(0);
    ++index.points[it->second];
    index.of.push_back(it->second);
  }
  return index;
}

// Per dense session the WSDM values of one skip predictor, NaN for a session without a second-half
// prediction: average accuracy teacher-forced and under the first-half protocol, and whether the first
// prediction is right.
struct SessionSkipValues {
  std::vector<double> teacher, first_half, first_correct;
};

SessionSkipValues PerSessionSkip(const EvalTable& t, const ScoredSplit& s, const SkipDecisions& skip,
                                 const SessionIndex& sessions) {
  std::vector<SkipSequence> seqs(sessions.points.size());
  for (size_t e = 0; e < s.eval.size(); ++e) {
    const ExampleInfo& info = t.info[s.eval[e]];
    if (info.ended_play < 0 || info.next_play_skipped < 0 || skip[e] < 0) continue;
    if (info.session_plays < 2 || static_cast<size_t>(info.ended_play + 1) < SecondHalfStart(info.session_plays)) continue;
    SkipSequence& seq = seqs[sessions.of[e]];
    seq.predicted.push_back(static_cast<uint8_t>(skip[e]));
    seq.actual.push_back(static_cast<uint8_t>(info.next_play_skipped));
  }
  SessionSkipValues v;
  for (SkipSequence& seq : seqs) {
    if (seq.predicted.empty()) {
      for (auto* out : {&v.teacher, &v.first_half, &v.first_correct}) out->push_back(kNaN);
      continue;
    }
    v.teacher.push_back(AverageAccuracy(seq));
    v.first_correct.push_back(seq.predicted.front() == seq.actual.front() ? 1.0 : 0.0);
    // The challenge's protocol: only the first half is known. The first second-half prediction was
    // made at the end of the first half, so repeating it over the whole second half is exactly that.
    std::fill(seq.predicted.begin(), seq.predicted.end(), seq.predicted.front());
    v.first_half.push_back(AverageAccuracy(seq));
  }
  return v;
}

// Mean over the sessions of the positions `at` that have a value, each session counted once per time it
// was drawn (a drawn session brings all of its points, each weighing 1 / its point count); NaN when none has.
double MeanOver(const std::vector<double>& per_session, const SessionIndex& sessions, std::span<const uint32_t> at) {
  double sum = 0, weight = 0;
  for (uint32_t p : at) {
    const uint32_t s = sessions.of[p];
    if (std::isnan(per_session[s])) continue;
    const double w = 1.0 / sessions.points[s];
    sum += w * per_session[s];
    weight += w;
  }
  return weight > 0 ? sum / weight : kNaN;
}

// The metrics that get intervals, by JSON key, on the positions `at` of the split (repeats allowed).
std::map<std::string, double> ResampledMetrics(const ModelScores& m, const std::vector<uint8_t>& y,
                                               const SessionSkipValues* skip, const SessionIndex& sessions,
                                               std::span<const uint32_t> at) {
  std::vector<float> p(at.size());
  std::vector<uint8_t> l(at.size());
  for (size_t i = 0; i < at.size(); ++i) {
    p[i] = m.prob[at[i]];
    l[i] = y[at[i]];
  }
  std::map<std::string, double> out = {{"roc_auc", RocAuc(p, l)}, {"pr_auc", AveragePrecision(p, l)}};
  if (skip != nullptr) {
    out["mssd_mean_average_accuracy"] = MeanOver(skip->teacher, sessions, at);
    out["mssd_first_half_mean_average_accuracy"] = MeanOver(skip->first_half, sessions, at);
    out["mssd_first_prediction_accuracy"] = MeanOver(skip->first_correct, sessions, at);
  }
  return out;
}

ModelReport PointReport(const ModelScores& m, const std::vector<uint8_t>& y, const SessionSkipValues* skip,
                        const SessionIndex& sessions, const EvalOptions& options) {
  ModelReport r;
  r.roc_auc = RocAuc(m.prob, y);
  r.pr_auc = AveragePrecision(m.prob, y);
  r.k = std::max<size_t>(1, static_cast<size_t>(std::llround(options.k_fraction * static_cast<double>(y.size()))));
  r.precision_at_k = PrecisionAtK(m.prob, y, r.k);
  const bool one_threshold = std::adjacent_find(m.threshold.begin(), m.threshold.end(), std::not_equal_to<>()) ==
                             m.threshold.end();
  r.threshold = one_threshold && !m.threshold.empty() ? m.threshold.front() : kNaN;
  const OperatingPoint op = AtThresholds(m, y);
  r.fpr_at_threshold = op.fpr;
  r.precision_at_threshold = op.precision;
  r.recall_at_threshold = op.recall;
  r.ece = ExpectedCalibrationError(m.prob, y);
  if (skip != nullptr) {
    std::vector<uint32_t> all(y.size());
    std::iota(all.begin(), all.end(), 0);
    r.mssd_sessions = static_cast<size_t>(
        std::count_if(skip->teacher.begin(), skip->teacher.end(), [](double v) { return !std::isnan(v); }));
    r.mssd_mean_average_accuracy = MeanOver(skip->teacher, sessions, all);
    r.mssd_first_half_mean_average_accuracy = MeanOver(skip->first_half, sessions, all);
    r.mssd_first_prediction_accuracy = MeanOver(skip->first_correct, sessions, all);
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

ModelScores WithThreshold(std::vector<float> prob, float threshold, SkipDecisions skip) {
  ModelScores m;
  m.threshold.assign(prob.size(), threshold);
  m.prob = std::move(prob);
  m.skip = std::move(skip);
  return m;
}

// Heuristic: trailing consecutive skips, fitted on `fit` + `validation` of `train`.
ModelScores ScoreHeuristic(const EvalTable& train, const std::vector<size_t>& fit, const std::vector<size_t>& validation,
                           const EvalTable& table, const std::vector<size_t>& eval) {
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
    skip.push_back(c >= 1 ? 1 : 0);  // the last ended play was skipped → the next one will be ("same as last play")
  }
  return WithThreshold(std::move(prob), h.threshold(), std::move(skip));
}

// Every baseline fitted on `fit` / `validation` of `train` (none when `train` is null) and the sequence
// model's scores from the table, on `eval` of `table`.
Result<ScoredSplit> ScoreSplit(const EvalTable& table, std::string split, std::vector<size_t> eval,
                               const EvalTable* train, const std::vector<size_t>& fit,
                               const std::vector<size_t>& validation, const EvalOptions& options) {
  ScoredSplit out;
  out.split = std::move(split);
  out.eval = std::move(eval);
  out.train_examples = fit.size() + validation.size();
  if (out.eval.empty()) return Status::InvalidArgument(out.split + " split: no evaluation example");
  if (train != nullptr) {
    if (fit.empty() || validation.empty()) return Status::InvalidArgument(out.split + " split: too few training sessions");
    out.models["heuristic"] = ScoreHeuristic(*train, fit, validation, table, out.eval);
    XgbParams logistic;
    logistic.booster = "gblinear";
    logistic.rounds = 100;
    logistic.eta = 0.5;
    XgbParams trees;
    for (const auto& [name, params] : {std::pair<std::string, XgbParams>{"logistic", logistic}, {"xgboost", trees}}) {
      if (options.progress) std::cerr << out.split << " split: fitting " << name << " on " << fit.size() << " examples\n";
      Result<Fitted> fitted = FitXgb(params, *train, fit, validation, table, out.eval, options);
      if (!fitted.ok()) return Status(fitted.status().code(), name + ": " + fitted.status().message());
      out.models[name] = WithThreshold(std::move(fitted->eval_prob), fitted->threshold, std::move(fitted->skip));
    }
  }
  if (!table.sequence_score.empty()) {
    ModelScores m;
    for (size_t i : out.eval) {
      m.prob.push_back(table.sequence_score[i]);
      m.threshold.push_back(table.sequence_threshold[i]);
      if (!table.sequence_skip.empty()) m.skip.push_back(table.sequence_skip[i] >= 0.5f ? 1 : 0);
    }
    if (std::any_of(m.prob.begin(), m.prob.end(), [](float p) { return std::isnan(p); })) {
      return Status::Internal(out.split + " split: the sequence model did not score every evaluation example");
    }
    out.models[kServedModel] = std::move(m);
  }
  if (out.models.empty()) return Status::InvalidArgument(out.split + " split: no model to evaluate");
  return out;
}

// Appends `part` to `pooled` (same models); a skip predictor missing in one part counts as "no decision".
void Append(const ScoredSplit& part, ScoredSplit* pooled) {
  const size_t before = pooled->eval.size();
  pooled->eval.insert(pooled->eval.end(), part.eval.begin(), part.eval.end());
  pooled->train_examples += part.train_examples;
  for (const auto& [name, m] : part.models) {
    ModelScores& to = pooled->models[name];
    to.prob.insert(to.prob.end(), m.prob.begin(), m.prob.end());
    to.threshold.insert(to.threshold.end(), m.threshold.begin(), m.threshold.end());
    if (m.skip.empty() && to.skip.empty()) continue;
    to.skip.resize(before, -1);
    if (m.skip.empty()) {
      to.skip.resize(before + part.eval.size(), -1);
    } else {
      to.skip.insert(to.skip.end(), m.skip.begin(), m.skip.end());
    }
  }
}

// The point values of the metrics that get intervals (the skip ones only with a skip predictor).
std::map<std::string, double> IntervalMetrics(const ModelReport& r) {
  std::map<std::string, double> out = {{"roc_auc", r.roc_auc}, {"pr_auc", r.pr_auc}};
  if (r.mssd_mean_average_accuracy) out["mssd_mean_average_accuracy"] = *r.mssd_mean_average_accuracy;
  if (r.mssd_first_half_mean_average_accuracy) {
    out["mssd_first_half_mean_average_accuracy"] = *r.mssd_first_half_mean_average_accuracy;
  }
  if (r.mssd_first_prediction_accuracy) out["mssd_first_prediction_accuracy"] = *r.mssd_first_prediction_accuracy;
  return out;
}

// Intervals of every model's metrics and of the served model's differences to the others.
void AddIntervals(const ScoredSplit& s, const std::vector<uint8_t>& y, const ClusterBootstrap& bootstrap,
                  const SessionIndex& sessions, const std::map<std::string, SessionSkipValues>& skip,
                  SplitReport* report) {
  // replicates[model][metric][b]
  std::map<std::string, std::map<std::string, std::vector<double>>> replicates;
  bootstrap.ForEachResample([&](int, std::span<const uint32_t> at) {
    for (const auto& [name, m] : s.models) {
      auto it = skip.find(name);
      for (const auto& [metric, v] : ResampledMetrics(m, y, it == skip.end() ? nullptr : &it->second, sessions, at)) {
        replicates[name][metric].push_back(v);
      }
    }
  });
  for (auto& [name, metrics] : replicates) {
    for (auto& [metric, values] : metrics) report->models[name].ci95[metric] = Percentile95(values);
  }
  if (report->reference.empty()) return;
  const auto& served = replicates[report->reference];
  const ModelReport& served_point = report->models[report->reference];
  for (const auto& [name, metrics] : replicates) {
    if (name == report->reference) continue;
    PairedDifference& d = report->paired[name];
    for (const auto& [metric, values] : metrics) {
      auto ref = served.find(metric);
      if (ref == served.end()) continue;
      std::vector<double> diff(values.size());
      for (size_t b = 0; b < values.size(); ++b) diff[b] = ref->second[b] - values[b];
      d.ci95[metric] = Percentile95(std::move(diff));
    }
    const std::map<std::string, double> base = IntervalMetrics(report->models[name]);
    for (const auto& [metric, v] : IntervalMetrics(served_point)) {
      if (base.contains(metric)) d.point[metric] = v - base.at(metric);
    }
  }
}

}  // namespace

bool IsEval(const ExampleInfo& info, SplitKind split) {
  switch (split) {
    case SplitKind::kTime: return !info.time_train && !info.holdout_user;
    case SplitKind::kUser: return info.holdout_user;
    case SplitKind::kAll: return true;
  }
  return false;
}

Result<EvalTable> BuildEvalTable(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                                 const SequenceModel* sequence,
                                 const std::function<bool(const ExampleInfo&)>& score_mask) {
  EvalTable table;
  Result<DatasetSummary> summary = ForEachDecision(
      std::move(events), catalog, options, [&](const ExampleInfo& info, const FeatureVector& f, const Event& decision) {
        if (info.user >= table.user_ids.size()) table.user_ids.resize(info.user + 1);
        if (table.user_ids[info.user].empty()) table.user_ids[info.user] = decision.user_id;
        table.info.push_back(info);
        table.rows.push_back(TabularFeatures(f));
        if (sequence == nullptr) return;
        const bool score = !score_mask || score_mask(info);
        table.sequence_score.push_back(score ? sequence->disengagement(f) : kNaNf);
        table.sequence_threshold.push_back(sequence->threshold);
        if (sequence->skip) table.sequence_skip.push_back(score ? sequence->skip(f) : kNaNf);
      });
  if (!summary.ok()) return summary.status();
  table.summary = *summary;
  return table;
}

SplitReport ReportScores(const EvalTable& table, const ScoredSplit& scored, const EvalOptions& options) {
  SplitReport report;
  report.split = scored.split;
  report.train_examples = scored.train_examples;
  report.examples = scored.eval.size();
  const std::vector<uint8_t> y = EvalLabels(table, scored.eval);
  report.positives = static_cast<size_t>(std::count(y.begin(), y.end(), 1));
  std::vector<uint32_t> users;
  for (size_t i : scored.eval) users.push_back(table.info[i].user);
  const SessionIndex sessions = IndexSessions(table, scored.eval);
  report.sessions = sessions.points.size();
  report.bootstrap_unit = options.bootstrap_unit;
  const ClusterBootstrap bootstrap(options.bootstrap_unit == kBootstrapByListener ? users : sessions.of,
                                   options.resamples, options.seed);
  std::sort(users.begin(), users.end());
  report.listeners = static_cast<size_t>(std::unique(users.begin(), users.end()) - users.begin());
  report.resamples = options.resamples;
  std::map<std::string, SessionSkipValues> skip;
  for (const auto& [name, m] : scored.models) {
    if (!m.skip.empty()) skip.emplace(name, PerSessionSkip(table, scored, m.skip, sessions));
    auto it = skip.find(name);
    report.models[name] = PointReport(m, y, it == skip.end() ? nullptr : &it->second, sessions, options);
  }
  if (scored.models.contains(kServedModel)) report.reference = kServedModel;
  if (options.resamples > 0) AddIntervals(scored, y, bootstrap, sessions, skip, &report);
  return report;
}

Result<SplitReport> EvaluateSplit(const EvalTable& table, SplitKind split, const EvalTable* baseline_train,
                                  const EvalOptions& options) {
  static constexpr const char* kNames[] = {"time", "user", "all"};
  const std::string name = kNames[static_cast<int>(split)];
  // Without a separate training file, --split all has no unseen data left to fit baselines on.
  const EvalTable* train = baseline_train ? baseline_train : (split == SplitKind::kAll ? nullptr : &table);
  std::vector<size_t> fit, validation, eval;
  if (train != nullptr) {
    for (size_t i = 0; i < train->info.size(); ++i) {
      if (baseline_train == nullptr && !IsTrain(train->info[i])) continue;
      (IsValidationSession(train->info[i].session) ? validation : fit).push_back(i);
    }
  }
  for (size_t i = 0; i < table.info.size(); ++i) {
    if (IsEval(table.info[i], split)) eval.push_back(i);
  }
  Result<ScoredSplit> scored = ScoreSplit(table, name, std::move(eval), train, fit, validation, options);
  if (!scored.ok()) return scored.status();
  return ReportScores(table, *scored, options);
}

Result<CrossValidation> EvaluateFolds(const EvalTable& table, std::span<const uint32_t> fold_of_user, uint32_t folds,
                                      const EvalOptions& options) {
  CrossValidation out;
  ScoredSplit pooled;
  pooled.split = "cv";
  EvalOptions per_fold = options;
  per_fold.resamples = 0;  // intervals on the pooled points only
  for (uint32_t k = 0; k < folds; ++k) {
    FoldParts parts = PartsOfFold(table.info, fold_of_user, k);
    if (options.progress) std::cerr << "fold " << k + 1 << "/" << folds << ": baselines\n";
    Result<ScoredSplit> scored =
        ScoreSplit(table, "fold " + std::to_string(k + 1), std::move(parts.eval), &table, parts.fit, parts.validation, options);
    if (!scored.ok()) return scored.status();
    out.folds.push_back(ReportScores(table, *scored, per_fold));
    Append(*scored, &pooled);
  }
  out.pooled = ReportScores(table, pooled, options);
  return out;
}

}  // namespace segue
