// `segue eval disengagement`: every disengagement model on the same decision points of an events file,
// with the same metrics and 95 % bootstrap intervals, for a time-based split per listener and a
// split by listener, for every decision point of a file of unseen listeners (--split all, with a bundle
// trained elsewhere), or cross-validated by listener (--cv-listeners K: every model refitted per fold,
// the Transformer as `segue train disengagement` trains it). docs/models.md.
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/dataset_flags.h"
#include "cli/fold_transformers.h"
#include "cli/train_disengagement.h"
#include "models/dataset.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_eval.h"
#include "models/listener_folds.h"
#include "models/trigger_replay.h"

namespace segue::cli {
namespace {

struct EvalArgs {
  std::string model_dir;
  DatasetFlags data;
  std::string baselines_from;
  double target_precision = 0.9;
  double k_fraction = 0.05;
  std::string split = "time-user";
  bool cv_given = false;  // --cv-listeners was on the command line
  int cv_listeners = 0;
  uint64_t seed = 1;
  int resamples = 1000;
  std::string bootstrap_by = kBootstrapBySession;
  TrainArgs train;  // the per-fold Transformer under --cv-listeners
  bool json = false;
};

nlohmann::json Num(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json IntervalJson(const Interval& i) { return nlohmann::json::array({Num(i.lo), Num(i.hi)}); }

nlohmann::json IntervalsJson(const std::map<std::string, Interval>& ci) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [metric, interval] : ci) out[metric] = IntervalJson(interval);
  return out;
}

nlohmann::json ModelJson(const ModelReport& r) {
  auto num = Num;
  auto opt = [&](const std::optional<double>& v) { return v ? num(*v) : nlohmann::json(nullptr); };
  return {{"roc_auc", num(r.roc_auc)},
          {"pr_auc", num(r.pr_auc)},
          {"precision_at_k", num(r.precision_at_k)},
          {"k", r.k},
          {"threshold", num(r.threshold)},
          {"fpr_at_threshold", num(r.fpr_at_threshold)},
          {"precision_at_threshold", num(r.precision_at_threshold)},
          {"recall_at_threshold", num(r.recall_at_threshold)},
          {"ece", num(r.ece)},
          {"mssd_mean_average_accuracy", opt(r.mssd_mean_average_accuracy)},
          {"mssd_first_prediction_accuracy", opt(r.mssd_first_prediction_accuracy)},
          {"mssd_first_half_mean_average_accuracy", opt(r.mssd_first_half_mean_average_accuracy)},
          {"mssd_sessions", r.mssd_sessions},
          {"ci95", IntervalsJson(r.ci95)}};
}

// "paired": {model: {"reference": served, "roc_auc": {"diff": d, "ci95": [lo, hi]}, ...}}
nlohmann::json PairedJson(const SplitReport& s) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, d] : s.paired) {
    nlohmann::json m = {{"reference", s.reference}};
    for (const auto& [metric, interval] : d.ci95) {
      auto point = d.point.find(metric);
      m[metric] = {{"diff", point == d.point.end() ? nlohmann::json(nullptr) : Num(point->second)},
                   {"ci95", IntervalJson(interval)}};
    }
    out[name] = m;
  }
  return out;
}

nlohmann::json SplitJson(const SplitReport& s) {
  nlohmann::json models = nlohmann::json::object();
  for (const auto& [name, report] : s.models) models[name] = ModelJson(report);
  return {{"models", models},         {"examples", s.examples},   {"positives", s.positives},
          {"train_examples", s.train_examples}, {"listeners", s.listeners}, {"sessions", s.sessions},
          {"resamples", s.resamples}, {"bootstrap_unit", s.bootstrap_unit}, {"paired", PairedJson(s)}};
}

std::string Fixed(double v, int digits = 3) {
  if (std::isnan(v)) return "-";
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

std::string WithInterval(double v, const std::map<std::string, Interval>& ci, const std::string& metric) {
  auto it = ci.find(metric);
  if (it == ci.end()) return Fixed(v);
  return Fixed(v) + " [" + Fixed(it->second.lo) + ", " + Fixed(it->second.hi) + "]";
}

std::string SplitTitle(const SplitReport& s) {
  if (s.split == "time") return "time-based split (last 20% of the time of listeners not held out)";
  if (s.split == "user") return "split by listener (unseen listeners)";
  if (s.split == "all") return "every decision point (listeners the bundle never saw)";
  if (s.split == "cv") return "cross-validation by listener, pooled over the folds (every listener unseen once)";
  return s.split;
}

// "better" only when the paired interval excludes 0.
std::string Verdict(const Interval& i) {
  if (std::isnan(i.lo)) return "undefined";
  if (i.lo > 0) return "served model better";
  if (i.hi < 0) return "served model worse";
  return "no difference shown";
}

void PrintPaired(const SplitReport& s) {
  if (s.paired.empty()) return;
  std::cout << "paired differences, " << s.reference << " minus each model (95% interval, same " << s.resamples
            << " resamples):\n";
  for (const auto& [name, d] : s.paired) {
    for (const char* metric : {"roc_auc", "pr_auc", "mssd_first_half_mean_average_accuracy"}) {
      auto ci = d.ci95.find(metric);
      if (ci == d.ci95.end()) continue;
      auto point = d.point.find(metric);
      std::cout << "  " << std::left << std::setw(10) << name << std::setw(38) << metric << std::right
                << (point == d.point.end() ? std::string("") : Fixed(point->second) + " ") << "[" << Fixed(ci->second.lo)
                << ", " << Fixed(ci->second.hi) << "]  " << Verdict(ci->second) << "\n";
    }
  }
}

void PrintSplit(const SplitReport& s) {
  std::cout << "\n" << SplitTitle(s) << ": " << s.examples << " decision points (" << s.listeners << " listeners, "
            << s.sessions << " sessions), " << s.positives << " positive ("
            << Fixed(s.examples ? 100.0 * s.positives / s.examples : NAN, 1) << "%), baselines trained on "
            << s.train_examples << (s.split == "cv" ? " (summed over the folds)" : "") << "\n";
  std::cout << std::left << std::setw(12) << "model" << std::right << std::setw(22) << "ROC-AUC" << std::setw(22)
            << "PR-AUC" << std::setw(8) << "P@K" << std::setw(8) << "thresh" << std::setw(8) << "FPR" << std::setw(8)
            << "prec" << std::setw(8) << "recall" << std::setw(8) << "ECE" << std::setw(22) << "MSSD-MAA-1st-half"
            << std::setw(22) << "MSSD-FPA" << "\n";
  for (const auto& [name, r] : s.models) {
    std::cout << std::left << std::setw(12) << name << std::right << std::setw(22) << WithInterval(r.roc_auc, r.ci95, "roc_auc")
              << std::setw(22) << WithInterval(r.pr_auc, r.ci95, "pr_auc") << std::setw(8) << Fixed(r.precision_at_k)
              << std::setw(8) << Fixed(r.threshold) << std::setw(8) << Fixed(r.fpr_at_threshold) << std::setw(8)
              << Fixed(r.precision_at_threshold) << std::setw(8) << Fixed(r.recall_at_threshold) << std::setw(8)
              << Fixed(r.ece) << std::setw(22)
              << WithInterval(r.mssd_first_half_mean_average_accuracy.value_or(NAN), r.ci95,
                              "mssd_first_half_mean_average_accuracy")
              << std::setw(22)
              << WithInterval(r.mssd_first_prediction_accuracy.value_or(NAN), r.ci95, "mssd_first_prediction_accuracy")
              << "\n";
  }
  if (!s.models.empty()) {
    std::cout << "(P@K with K = " << s.models.begin()->second.k << "; intervals: 95% bootstrap drawing whole "
              << s.bootstrap_unit << "s, " << s.resamples << " resamples; the heuristic's skip predictor is \"same as the last play\")\n";
  }
  PrintPaired(s);
}

nlohmann::json TriggerJson(const TriggerReplay& t, const TriggerOptions& o) {
  return {{"listeners", t.listeners},           {"sessions", t.sessions},
          {"triggers", t.triggers},             {"right", t.right},
          {"precision", Num(t.precision())},    {"suppressed_by_cooldown", t.suppressed},
          {"unservable_points", t.unservable},
          {"listener_hours", t.listener_hours}, {"per_listener_hour", Num(t.per_listener_hour())},
          {"hysteresis", o.hysteresis},         {"cooldown_min", static_cast<double>(o.cooldown_ms) / 60000.0}};
}

void PrintTrigger(const TriggerReplay& t, const TriggerOptions& o) {
  std::cout << "trigger policy (the server's: bundle threshold, hysteresis " << o.hysteresis << ", cooldown "
            << o.cooldown_ms / 60000 << " min) on these " << t.listeners << " listeners, " << t.sessions
            << " sessions, " << Fixed(t.listener_hours, 1) << " listener-hours: " << t.triggers << " triggers, "
            << Fixed(t.per_listener_hour(), 2) << " per listener-hour, " << Fixed(t.precision()) << " on a positive point ("
            << t.suppressed << " crossings suppressed by the cooldown)\n";
  if (t.unservable > 0) {
    std::cout << "  " << t.unservable << " decision points not replayed: their model's threshold is not above the "
              << "hysteresis, so the server would refuse to load it\n";
  }
}

// The served model's scores on the split's points replayed through the trigger policy (kAll under
// cross-validation: every point was scored once, by its fold's model); nullopt without a served model.
std::optional<TriggerReplay> ReplayServed(const EvalTable& table, SplitKind split) {
  if (table.sequence_score.empty()) return std::nullopt;
  std::vector<size_t> positions;
  std::vector<float> score, threshold;
  for (size_t i = 0; i < table.info.size(); ++i) {
    if (!IsEval(table.info[i], split)) continue;
    positions.push_back(i);
    score.push_back(table.sequence_score[i]);
    threshold.push_back(table.sequence_threshold[i]);
  }
  return ReplayTriggers(table, positions, score, threshold, TriggerOptions{});
}

// `score_all`: the sequence model scores every point (--split all); otherwise only those of the
// time-based split and the split by listener (the only ones evaluated).
Result<EvalTable> TableFromEvents(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                                  const SequenceModel* sequence, bool score_all) {
  auto eval_only = [score_all](const ExampleInfo& i) {
    return score_all || IsEval(i, SplitKind::kTime) || IsEval(i, SplitKind::kUser);
  };
  return BuildEvalTable(std::move(events), catalog, options, sequence, eval_only);
}

Result<EvalTable> TableFromFile(const std::string& path, Catalog* catalog, const DatasetOptions& options,
                                const SequenceModel* sequence, bool score_all) {
  Result<EventFile> file = ReadEventsReportingRejects(path);
  if (!file.ok()) return file.status();
  return TableFromEvents(std::move(file->events), catalog, options, sequence, score_all);
}

int Fail(const std::string& message, int code = 1) {
  std::cerr << "segue eval: " << message << "\n";
  return code;
}

// The flag combinations that cannot work, named before any input is read.
std::optional<std::string> FlagError(const EvalArgs& args) {
  if (!(args.target_precision > 0 && args.target_precision <= 1) || !(args.k_fraction > 0 && args.k_fraction <= 1)) {
    return "--target-precision and --k-fraction must be in (0, 1]";
  }
  if (args.resamples < 0) return "--bootstrap must be 0 or more resamples";
  if (args.split == "all" && args.model_dir.empty()) {
    return "--split all needs --model (a bundle trained on other listeners): without one every point of the file "
           "would be evaluated by models fitted on it";
  }
  if (!args.cv_given) return std::nullopt;
  if (args.cv_listeners < 2) return "--cv-listeners must be at least 2 folds (got " + std::to_string(args.cv_listeners) + ")";
  if (!args.model_dir.empty()) return "--cv-listeners trains the Transformer per fold; it does not take --model";
  if (!args.baselines_from.empty()) return "--cv-listeners fits the baselines per fold; it does not take --baselines-from";
  if (args.split == "all") return "--cv-listeners and --split all are different evaluations; choose one";
  if (Status s = ValidateTrainArgs(args.train); !s.ok()) return s.message();
  return std::nullopt;
}

// The served bundle as a SequenceModel (--model: a bundle folder, or a models folder whose newest bundle is used).
Result<SequenceModel> LoadServed(const std::string& model_dir, const DatasetOptions& options) {
  std::string dir = model_dir;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "config.json")) {
    Result<std::string> newest = FindNewestBundle(dir);
    if (!newest.ok()) return Status(newest.status().code(), "--model " + dir + ": " + newest.status().message());
    dir = *newest;
  }
  Result<ScoringBundle> bundle = LoadScoringBundle(dir);
  if (!bundle.ok()) return Status(bundle.status().code(), "--model " + dir + ": " + bundle.status().message());
  const LabelConfig& trained = bundle->bundle.labels;
  if (trained.horizon_ms != options.labels.horizon_ms || trained.burst_skips != options.labels.burst_skips ||
      trained.burst_window != options.labels.burst_window) {
    std::cerr << "warning: the bundle was trained for horizon " << trained.horizon_ms / 60000.0 << " min, burst "
              << trained.burst_skips << "/" << trained.burst_window << "; evaluating against other labels\n";
  }
  std::cerr << "model: " << dir << " (" << PredictorKindName(bundle->bundle.kind) << ", threshold "
            << bundle->bundle.threshold << ")\n";
  SequenceModel served;
  served.disengagement = [p = bundle->predictor](const FeatureVector& f) { return p->ScoreFresh(f); };
  served.threshold = bundle->bundle.threshold;
  // Old bundles have no skip head: the Transformer's WSDM metrics are then null.
  if (bundle->skip_encoder) {
    served.skip = [encoder = bundle->skip_encoder](const FeatureVector& f) { return encoder->ScoreFresh(f); };
  } else {
    std::cerr << "model: the bundle has no skip head; the transformer's MSSD metrics will be null\n";
  }
  return served;
}

nlohmann::json DatasetJson(const EvalArgs& args, const DatasetSummary& sum) {
  return {{"horizon_min", args.data.horizon_min},
          {"burst_skips", args.data.burst_skips},
          {"burst_window", args.data.burst_window},
          {"target_precision", args.target_precision},
          {"seed", args.seed},
          {"dataset",
           {{"users", sum.users},
            {"sessions", sum.sessions},
            {"events", sum.events},
            {"duplicate_events", sum.duplicate_events},
            {"decision_points", sum.examples},
            {"positives", sum.positives}}}};
}

void PrintHeader(const EvalArgs& args, const DatasetSummary& sum) {
  std::cout << "disengagement evaluation of " << args.data.events << ": " << sum.users << " listeners, " << sum.sessions
            << " sessions, " << sum.examples << " decision points (" << sum.positives << " positive), horizon "
            << args.data.horizon_min << " min, skip burst " << args.data.burst_skips << " of " << args.data.burst_window
            << "\n";
}

// The fold of every dense listener: only listeners with a decision point ("" ids are the others) are
// dealt, so K is checked against them; the others have nothing to evaluate or train on (fold 0).
Result<std::vector<uint32_t>> FoldsOfListeners(const std::vector<std::string>& user_ids, uint32_t k, uint64_t seed) {
  std::vector<std::string> ids;
  std::vector<size_t> index;
  for (size_t u = 0; u < user_ids.size(); ++u) {
    if (user_ids[u].empty()) continue;
    ids.push_back(user_ids[u]);
    index.push_back(u);
  }
  if (k > ids.size()) {
    return Status::InvalidArgument("--cv-listeners " + std::to_string(k) + ": the file has only " +
                                   std::to_string(ids.size()) + " listeners with decision points (every fold needs one)");
  }
  Result<std::vector<uint32_t>> dealt = AssignListenerFolds(ids, k, seed);
  if (!dealt.ok()) return Status::InvalidArgument("--cv-listeners: " + dealt.status().message());
  std::vector<uint32_t> fold(user_ids.size(), 0);
  for (size_t i = 0; i < index.size(); ++i) fold[index[i]] = (*dealt)[i];
  return fold;
}

// --cv-listeners K: folds, per-fold Transformers, per-fold baselines, pooled report.
int RunCrossValidation(const EvalArgs& args, const DatasetOptions& options, const EvalOptions& eval_options,
                       Catalog* catalog) {
  Result<EventFile> file = ReadEventsReportingRejects(args.data.events);
  if (!file.ok()) return Fail(file.status().message());
  Result<EvalTable> table = TableFromEvents(file->events, catalog, options, nullptr, false);
  if (!table.ok()) return Fail(table.status().message());
  const uint32_t k = static_cast<uint32_t>(args.cv_listeners);
  Result<std::vector<uint32_t>> folds = FoldsOfListeners(table->user_ids, k, args.seed);
  if (!folds.ok()) return Fail(folds.status().message(), 2);
  TrainArgs train = args.train;
  train.data = args.data;
  if (Status s = ScoreWithFoldModels(file->events, catalog, train, *folds, k, &*table); !s.ok()) return Fail(s.message());
  Result<CrossValidation> cv = EvaluateFolds(*table, *folds, k, eval_options);
  if (!cv.ok()) return Fail(cv.status().message());
  const std::optional<TriggerReplay> trigger = ReplayServed(*table, SplitKind::kAll);
  const TriggerOptions trigger_options;
  if (args.json) {
    nlohmann::json out = SplitJson(cv->pooled);
    out.update(DatasetJson(args, table->summary));
    out["cv_listeners"] = k;
    out["folds"] = nlohmann::json::array();
    for (const SplitReport& f : cv->folds) out["folds"].push_back(SplitJson(f));
    out["trigger"] = trigger ? TriggerJson(*trigger, trigger_options) : nlohmann::json(nullptr);
    out["transformer_training"] = {{"epochs", train.epochs},   {"patience", train.patience},
                                   {"d_model", train.d_model}, {"layers", train.layers},
                                   {"heads", train.heads},     {"target_precision", train.target_precision},
                                   {"seed", train.seed},       {"skip_head", !train.no_skip_head},
                                   {"model_kind", train.model_kind}, {"id_embeddings", train.id_embeddings}};
    std::cout << out.dump() << "\n";
    return 0;
  }
  PrintHeader(args, table->summary);
  std::cout << k << " folds by listener (seed " << args.seed << "); per fold every model is fitted on the other folds\n";
  for (const SplitReport& f : cv->folds) PrintSplit(f);
  PrintSplit(cv->pooled);
  if (trigger) PrintTrigger(*trigger, trigger_options);
  return 0;
}

// The reports of one evaluation: one per split, nullopt with its error where the data cannot support it.
struct SplitOutcomes {
  std::vector<std::optional<SplitReport>> reports;
  std::vector<std::string> errors;
};

// A split the data cannot support (e.g. too few listeners to hold some out) is reported as missing,
// not fatal: small real histories still get the time-based split.
Result<SplitOutcomes> EvaluateSplits(const EvalTable& table, const std::vector<SplitKind>& splits,
                                     const EvalTable* baseline_train, const EvalOptions& eval_options) {
  SplitOutcomes out;
  for (SplitKind split : splits) {
    Result<SplitReport> report = EvaluateSplit(table, split, baseline_train, eval_options);
    if (!report.ok() && report.status().code() != StatusCode::kInvalidArgument) return report.status();
    out.errors.push_back(report.ok() ? "" : report.status().message());
    if (!report.ok()) std::cerr << "segue eval: skipping the split: " << report.status().message() << "\n";
    out.reports.push_back(report.ok() ? std::optional<SplitReport>(std::move(*report)) : std::nullopt);
  }
  if (std::none_of(out.reports.begin(), out.reports.end(), [](const auto& r) { return r.has_value(); })) {
    return Status::InvalidArgument("no split could be evaluated");
  }
  return out;
}

void Output(const EvalArgs& args, const DatasetSummary& sum, const SplitOutcomes& o,
            const std::optional<TriggerReplay>& trigger) {
  const bool all = args.split == "all";
  const TriggerOptions trigger_options;
  if (args.json) {
    // The first split is the headline; each split carries an "error" when it could not be run.
    auto split_json = [&](size_t i) {
      return o.reports[i] ? SplitJson(*o.reports[i])
                          : nlohmann::json{{"models", nlohmann::json::object()}, {"examples", 0}, {"positives", 0},
                                           {"error", o.errors[i]}};
    };
    nlohmann::json out = split_json(0);
    if (!all) out["by_user"] = split_json(1);
    out.update(DatasetJson(args, sum));
    out["split"] = all ? "all" : "time";
    out["baselines_trained_on"] = args.baselines_from.empty() ? (all ? "" : args.data.events) : args.baselines_from;
    // The trigger operating point on unseen listeners: the held-out listeners, or every listener under --split all.
    out["trigger"] = trigger ? TriggerJson(*trigger, trigger_options) : nlohmann::json(nullptr);
    std::cout << out.dump() << "\n";
    return;
  }
  PrintHeader(args, sum);
  for (size_t i = 0; i < o.reports.size(); ++i) {
    if (o.reports[i]) {
      PrintSplit(*o.reports[i]);
    } else {
      std::cout << "\n" << (all ? "every decision point" : i == 0 ? "time-based split" : "split by listener")
                << ": not evaluated (" << o.errors[i] << ")\n";
    }
  }
  if (trigger) PrintTrigger(*trigger, trigger_options);
}

// The time-based split and the split by listener, or --split all.
int RunSplits(const EvalArgs& args, const DatasetOptions& options, const EvalOptions& eval_options, Catalog* catalog) {
  std::optional<SequenceModel> transformer;
  if (!args.model_dir.empty()) {
    Result<SequenceModel> served = LoadServed(args.model_dir, options);
    if (!served.ok()) return Fail(served.status().message());
    transformer = std::move(*served);
  }
  const bool all = args.split == "all";
  Result<EvalTable> table = TableFromFile(args.data.events, catalog, options, transformer ? &*transformer : nullptr, all);
  if (!table.ok()) return Fail(table.status().message());
  std::optional<EvalTable> baseline_train;
  if (!args.baselines_from.empty()) {
    Result<EvalTable> train = TableFromFile(args.baselines_from, catalog, options, nullptr, false);
    if (!train.ok()) return Fail(train.status().message());
    baseline_train = std::move(*train);
  } else if (all) {
    std::cerr << "baselines: no --baselines-from, so only the bundle is evaluated (every point of "
              << args.data.events << " is evaluation data)\n";
  } else {
    std::cerr << "baselines: no --baselines-from, fitting them on the training part of " << args.data.events
              << " (first 80% of each listener's time, held-out listeners excluded)\n";
  }
  const std::vector<SplitKind> splits = all ? std::vector<SplitKind>{SplitKind::kAll}
                                            : std::vector<SplitKind>{SplitKind::kTime, SplitKind::kUser};
  Result<SplitOutcomes> outcomes =
      EvaluateSplits(*table, splits, baseline_train ? &*baseline_train : nullptr, eval_options);
  if (!outcomes.ok()) return Fail(outcomes.status().message());
  Output(args, table->summary, *outcomes, ReplayServed(*table, all ? SplitKind::kAll : SplitKind::kUser));
  return 0;
}

int Run(const EvalArgs& args) {
  Result<DatasetOptions> dataset = ToDatasetOptions(args.data);
  if (!dataset.ok()) return Fail(dataset.status().message(), 2);
  if (std::optional<std::string> error = FlagError(args)) return Fail(*error, 2);
  EvalOptions eval_options;
  eval_options.target_precision = args.target_precision;
  eval_options.k_fraction = args.k_fraction;
  eval_options.resamples = args.resamples;
  eval_options.seed = args.seed;
  eval_options.bootstrap_unit = args.bootstrap_by;
  eval_options.progress = true;
  Catalog catalog;
  if (Status s = LoadCatalogFlag(args.data, &catalog); !s.ok()) return Fail(s.message());
  if (args.cv_given) return RunCrossValidation(args, *dataset, eval_options, &catalog);
  return RunSplits(args, *dataset, eval_options, &catalog);
}

}  // namespace

void AddEvalCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("eval", "Evaluate models on listening data");
  app->require_subcommand(1);
  auto args = std::make_shared<EvalArgs>();
  CLI::App* d = app->add_subcommand(
      "disengagement",
      "Score the disengagement models (the served bundle, whose kind is transformer, logistic or stacked; heuristic, "
      "logistic regression, XGBoost) on the decision points of an events file with 95% bootstrap intervals (whole "
      "sessions or listeners resampled) and paired differences to the served model: a time-based "
      "split per listener and a split by listener, every point of unseen listeners (--split all), or K-fold "
      "cross-validation by listener (--cv-listeners); labels and metrics: docs/models.md");
  d->add_option("--model", args->model_dir,
                "Disengagement bundle folder (segue train disengagement --out), or a models folder (its newest "
                "bundle); without it only the baselines are evaluated")
      ->check(CLI::ExistingDirectory);
  AddEventsFlags(d, &args->data, "Events NDJSON (segue simulate / import / log export) to evaluate on");
  d->add_option("--baselines-from", args->baselines_from,
                "Fit the baselines on every decision point of this events file (default: on the training "
                "part of --events: sessions in the first 80% of each listener's time, held-out listeners "
                "excluded — the part segue train uses)")
      ->check(CLI::ExistingFile);
  AddDatasetFlags(d, &args->data);
  d->add_option("--target-precision", args->target_precision,
                "Baseline thresholds: the lowest score reaching this precision on validation")
      ->capture_default_str();
  d->add_option("--k-fraction", args->k_fraction, "Precision@K with K = this share of the evaluated decision points")
      ->capture_default_str();
  d->add_option("--split", args->split,
                "time-user: the time-based split and the split by listener of one file; all: every decision "
                "point of a file of listeners the --model bundle never saw")
      ->capture_default_str()
      ->check(CLI::IsMember({"time-user", "all"}));
  CLI::Option* cv = d->add_option(
      "--cv-listeners", args->cv_listeners,
      "K-fold cross-validation by listener: every model (the Transformer with the training flags below, as "
      "segue train disengagement trains it) refitted per fold, every listener evaluated once by models that never "
      "saw them; pooled and per-fold metrics");
  d->add_option("--seed", args->seed, "Seed of the fold assignment and of the bootstrap")->capture_default_str();
  d->add_option("--bootstrap", args->resamples, "Bootstrap resamples for the 95% intervals (see --bootstrap-by); 0: none")
      ->capture_default_str();
  d->add_option("--bootstrap-by", args->bootstrap_by,
                "What a bootstrap resample draws with replacement: whole sessions, or whole listeners (wider "
                "intervals that include the spread between listeners)")
      ->capture_default_str()
      ->check(CLI::IsMember({std::string(kBootstrapBySession), std::string(kBootstrapByListener)}));
  d->add_option("--train-target-precision", args->train.target_precision,
                "With --cv-listeners: the per-fold bundle's threshold target (segue train's --target-precision)")
      ->capture_default_str();
  d->add_option("--train-seed", args->train.seed, "With --cv-listeners: the Transformer's seed (segue train's --seed)")
      ->capture_default_str();
  AddTrainingFlags(d, &args->train);
  d->add_flag("--json", args->json, "Print one JSON object on stdout (progress stays on stderr)");
  out.push_back({d, [args, cv] {
                   args->cv_given = cv->count() > 0;
                   return Run(*args);
                 }});
  AddEvalRetrievalCommand(app, out);
}

}  // namespace segue::cli
