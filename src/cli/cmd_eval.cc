// `segue eval disengagement`: every disengagement model on the same decision points of an events file,
// with the same metrics, for a time-based split per listener and a split by listener (docs/models.md).
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
#include "models/dataset.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_eval.h"

namespace segue::cli {
namespace {

struct EvalArgs {
  std::string model_dir;
  DatasetFlags data;
  std::string baselines_from;
  double target_precision = 0.9;
  double k_fraction = 0.05;
  bool json = false;
};

nlohmann::json ModelJson(const ModelReport& r) {
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  auto opt = [&](const std::optional<double>& v) { return v ? num(*v) : nlohmann::json(nullptr); };
  return {{"roc_auc", num(r.roc_auc)},
          {"pr_auc", num(r.pr_auc)},
          {"precision_at_k", num(r.precision_at_k)},
          {"k", r.k},
          {"threshold", num(r.threshold)},
          {"fpr_at_threshold", num(r.fpr_at_threshold)},
          {"precision_at_threshold", num(r.precision_at_threshold)},
          {"ece", num(r.ece)},
          {"mssd_mean_average_accuracy", opt(r.mssd_mean_average_accuracy)},
          {"mssd_first_prediction_accuracy", opt(r.mssd_first_prediction_accuracy)},
          {"mssd_first_half_mean_average_accuracy", opt(r.mssd_first_half_mean_average_accuracy)},
          {"mssd_sessions", r.mssd_sessions}};
}

nlohmann::json SplitJson(const SplitReport& s) {
  nlohmann::json models = nlohmann::json::object();
  for (const auto& [name, report] : s.models) models[name] = ModelJson(report);
  return {{"models", models}, {"examples", s.examples}, {"positives", s.positives}, {"train_examples", s.train_examples}};
}

std::string Fixed(double v, int digits = 3) {
  if (std::isnan(v)) return "-";
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

void PrintSplit(const SplitReport& s) {
  std::cout << "\n" << (s.split == "time" ? "time-based split (last 20% of the time of listeners not held out)" : "split by listener (unseen listeners)")
            << ": " << s.examples << " decision points, " << s.positives << " positive ("
            << Fixed(s.examples ? 100.0 * s.positives / s.examples : NAN, 1) << "%), baselines trained on "
            << s.train_examples << "\n";
  std::cout << std::left << std::setw(12) << "model" << std::right << std::setw(8) << "ROC-AUC" << std::setw(8)
            << "PR-AUC" << std::setw(10) << "P@K" << std::setw(8) << "thresh" << std::setw(8) << "FPR" << std::setw(8)
            << "prec" << std::setw(8) << "ECE" << std::setw(10) << "MSSD-MAA" << std::setw(10) << "MSSD-FPA" << "\n";
  for (const auto& [name, r] : s.models) {
    std::cout << std::left << std::setw(12) << name << std::right << std::setw(8) << Fixed(r.roc_auc) << std::setw(8)
              << Fixed(r.pr_auc) << std::setw(10) << Fixed(r.precision_at_k) << std::setw(8) << Fixed(r.threshold)
              << std::setw(8) << Fixed(r.fpr_at_threshold) << std::setw(8) << Fixed(r.precision_at_threshold)
              << std::setw(8) << Fixed(r.ece) << std::setw(10) << Fixed(r.mssd_mean_average_accuracy.value_or(NAN))
              << std::setw(10) << Fixed(r.mssd_first_prediction_accuracy.value_or(NAN)) << "\n";
  }
  if (!s.models.empty()) std::cout << "(P@K with K = " << s.models.begin()->second.k << ")\n";
}

Result<EvalTable> TableFromFile(const std::string& path, Catalog* catalog, const DatasetOptions& options,
                                const SequenceModel* sequence) {
  Result<EventFile> file = ReadEventsReportingRejects(path);
  if (!file.ok()) return file.status();
  // Only evaluation examples (of either split) need the sequence model's scores.
  auto eval_only = [](const ExampleInfo& i) { return IsEval(i, SplitKind::kTime) || IsEval(i, SplitKind::kUser); };
  return BuildEvalTable(std::move(file->events), catalog, options, sequence, eval_only);
}

int Run(const EvalArgs& args) {
  Result<DatasetOptions> dataset = ToDatasetOptions(args.data);
  if (!dataset.ok()) {
    std::cerr << "segue eval: " << dataset.status().message() << "\n";
    return 2;
  }
  const DatasetOptions& options = *dataset;
  if (!(args.target_precision > 0 && args.target_precision <= 1) || !(args.k_fraction > 0 && args.k_fraction <= 1)) {
    std::cerr << "segue eval: --target-precision and --k-fraction must be in (0, 1]\n";
    return 2;
  }

  Catalog catalog;
  if (Status s = LoadCatalogFlag(args.data, &catalog); !s.ok()) {
    std::cerr << "segue eval: " << s.message() << "\n";
    return 1;
  }

  // The Transformer bundle: --model is a bundle folder, or a models folder whose newest bundle is used.
  std::optional<SequenceModel> transformer;
  if (!args.model_dir.empty()) {
    std::string dir = args.model_dir;
    if (!std::filesystem::exists(std::filesystem::path(dir) / "config.json")) {
      Result<std::string> newest = FindNewestBundle(dir);
      if (!newest.ok()) {
        std::cerr << "segue eval: --model " << dir << ": " << newest.status().message() << "\n";
        return 1;
      }
      dir = *newest;
    }
    Result<ScoringBundle> bundle = LoadScoringBundle(dir);
    if (!bundle.ok()) {
      std::cerr << "segue eval: --model " << dir << ": " << bundle.status().message() << "\n";
      return 1;
    }
    const LabelConfig& trained = bundle->bundle.labels;
    if (trained.horizon_ms != options.labels.horizon_ms || trained.burst_skips != options.labels.burst_skips ||
        trained.burst_window != options.labels.burst_window) {
      std::cerr << "warning: the bundle was trained for horizon " << trained.horizon_ms / 60000.0 << " min, burst "
                << trained.burst_skips << "/" << trained.burst_window << "; evaluating against other labels\n";
    }
    std::cerr << "model: " << dir << " (threshold " << bundle->bundle.threshold << ")\n";
    transformer.emplace();
    // The served model under its kind's name ("transformer", "logistic" would clash with the baseline).
    if (bundle->bundle.kind != PredictorKind::kTransformer) {
      transformer->name = "served_" + std::string(PredictorKindName(bundle->bundle.kind));
    }
    transformer->disengagement = [p = bundle->predictor](const FeatureVector& f) { return p->ScoreFresh(f); };
    transformer->threshold = bundle->bundle.threshold;
    // Old bundles have no skip head: the Transformer's WSDM metrics are then null.
    if (bundle->skip_encoder) {
      transformer->skip = [encoder = bundle->skip_encoder](const FeatureVector& f) { return encoder->ScoreFresh(f); };
    } else {
      std::cerr << "model: the bundle has no skip head; the transformer's MSSD metrics will be null\n";
    }
  }
  Result<EvalTable> table = TableFromFile(args.data.events, &catalog, options, transformer ? &*transformer : nullptr);
  if (!table.ok()) {
    std::cerr << "segue eval: " << table.status().message() << "\n";
    return 1;
  }
  std::optional<EvalTable> baseline_train;
  if (!args.baselines_from.empty()) {
    Result<EvalTable> train = TableFromFile(args.baselines_from, &catalog, options, nullptr);
    if (!train.ok()) {
      std::cerr << "segue eval: " << train.status().message() << "\n";
      return 1;
    }
    baseline_train = std::move(*train);
  } else {
    std::cerr << "baselines: no --baselines-from, fitting them on the training part of " << args.data.events
              << " (first 80% of each listener's time, held-out listeners excluded)\n";
  }

  EvalOptions eval_options;
  eval_options.target_precision = args.target_precision;
  eval_options.k_fraction = args.k_fraction;
  eval_options.progress = true;
  // A split the data cannot support (e.g. too few listeners to hold some out) is reported as missing,
  // not fatal: small real histories still get the time-based split.
  std::vector<std::optional<SplitReport>> reports;
  std::vector<std::string> split_errors;
  for (SplitKind split : {SplitKind::kTime, SplitKind::kUser}) {
    Result<SplitReport> report = EvaluateSplit(*table, split, baseline_train ? &*baseline_train : nullptr, eval_options);
    if (!report.ok() && report.status().code() != StatusCode::kInvalidArgument) {
      std::cerr << "segue eval: " << report.status().message() << "\n";
      return 1;
    }
    split_errors.push_back(report.ok() ? "" : report.status().message());
    if (!report.ok()) std::cerr << "segue eval: skipping the split: " << report.status().message() << "\n";
    reports.push_back(report.ok() ? std::optional<SplitReport>(std::move(*report)) : std::nullopt);
  }
  if (!reports[0] && !reports[1]) {
    std::cerr << "segue eval: no split could be evaluated\n";
    return 1;
  }

  const DatasetSummary& sum = table->summary;
  if (args.json) {
    // The time-based split is the headline; each split carries an "error" when it could not be run.
    auto split_json = [&](int i) {
      return reports[i] ? SplitJson(*reports[i])
                        : nlohmann::json{{"models", nlohmann::json::object()}, {"examples", 0}, {"positives", 0},
                                         {"error", split_errors[i]}};
    };
    nlohmann::json out = split_json(0);
    out["by_user"] = split_json(1);
    out["horizon_min"] = args.data.horizon_min;
    out["burst_skips"] = args.data.burst_skips;
    out["burst_window"] = args.data.burst_window;
    out["target_precision"] = args.target_precision;
    out["baselines_trained_on"] = args.baselines_from.empty() ? args.data.events : args.baselines_from;
    out["dataset"] = {{"users", sum.users},       {"sessions", sum.sessions},
                      {"events", sum.events},     {"duplicate_events", sum.duplicate_events},
                      {"decision_points", sum.examples}, {"positives", sum.positives}};
    std::cout << out.dump() << "\n";
  } else {
    std::cout << "disengagement evaluation of " << args.data.events << ": " << sum.users << " listeners, " << sum.sessions
              << " sessions, " << sum.examples << " decision points (" << sum.positives << " positive), horizon "
              << args.data.horizon_min << " min, skip burst " << args.data.burst_skips << " of " << args.data.burst_window << "\n";
    for (size_t i = 0; i < reports.size(); ++i) {
      if (reports[i]) {
        PrintSplit(*reports[i]);
      } else {
        std::cout << "\n" << (i == 0 ? "time-based split" : "split by listener") << ": not evaluated (" << split_errors[i] << ")\n";
      }
    }
  }
  return 0;
}

}  // namespace

void AddEvalCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("eval", "Evaluate models on listening data");
  app->require_subcommand(1);
  auto args = std::make_shared<EvalArgs>();
  CLI::App* d = app->add_subcommand(
      "disengagement",
      "Score the disengagement models (Transformer bundle, heuristic, logistic regression, XGBoost) on every decision point "
      "of an events file, for a time-based split per listener and a split by listener; "
      "labels and metrics: docs/models.md");
  d->add_option("--model", args->model_dir,
                "Transformer bundle folder (segue train disengagement --out), or a models folder (its newest "
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
  d->add_flag("--json", args->json, "Print one JSON object on stdout (progress stays on stderr)");
  out.push_back({d, [args] { return Run(*args); }});
  AddEvalRetrievalCommand(app, out);
}

}  // namespace segue::cli
