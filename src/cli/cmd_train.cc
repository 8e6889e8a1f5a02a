// `segue train disengagement`: replays an events file into labelled decision points (the same dataset
// code as `segue eval`), trains the Transformer and writes a self-describing bundle (docs/models.md).
// Unless --no-skip-head, a second Transformer of the same architecture is trained with the same trainer
// on "the next play is skipped" (examples with a next play only) and saved as the bundle's skip head.
// Which examples and the training itself: cli/train_disengagement.h (shared with `segue train all`).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/dataset_flags.h"
#include "cli/train_disengagement.h"
#include "models/bundle_files.h"
#include "models/disengagement_bundle.h"

namespace segue::cli {
namespace {

int Fail(const std::string& message, int code = 1) {
  std::cerr << "segue train: " << message << "\n";
  return code;
}

void Print(const TrainArgs& args, const DisengagementTraining& t, double seconds) {
  const DisengagementBundle& bundle = t.bundle;
  const BundleMetrics& m = bundle.validation;
  if (args.json) {
    nlohmann::json out = {
        {"bundle", args.out},
        {"feature_spec_version", kFeatureSpecVersion},
        {"train_examples", t.train_examples},
        {"train_positives", t.train_positives},
        {"validation_examples", t.valid_examples},
        {"validation_positives", t.valid_positives},
        {"epochs", bundle.history.size()},
        {"best_epoch", bundle.best_epoch},
        {"validation",
         {{"roc_auc", FiniteOrNull(m.roc_auc)},
          {"pr_auc", FiniteOrNull(m.pr_auc)},
          {"precision_at_k", FiniteOrNull(m.precision_at_k)},
          {"k", m.k},
          {"precision_at_threshold", FiniteOrNull(m.precision_at_threshold)},
          {"recall_at_threshold", FiniteOrNull(m.recall_at_threshold)},
          {"fpr_at_threshold", FiniteOrNull(m.fpr_at_threshold)},
          {"ece", FiniteOrNull(m.ece)}}},
        {"threshold", bundle.threshold},
        {"target_precision", args.target_precision},
        {"target_reached", bundle.target_reached},
        {"skip_head", bundle.skip_weights ? nlohmann::json{{"train_examples", bundle.skip_train_examples},
                                                           {"best_epoch", bundle.skip_best_epoch},
                                                           {"valid_roc_auc", FiniteOrNull(bundle.skip_valid_roc_auc)}}
                                          : nlohmann::json(nullptr)},
        {"seconds", seconds}};
    std::cout << out.dump() << "\n";
    return;
  }
  std::printf("bundle %s: %zu train / %zu validation decision points, best epoch %d of %zu\n", args.out.c_str(),
              t.train_examples, t.valid_examples, bundle.best_epoch, bundle.history.size());
  std::printf("validation: ROC-AUC %.4f  PR-AUC %.4f  P@%zu %.3f  ECE %.4f\n", m.roc_auc, m.pr_auc, m.k,
              m.precision_at_k, m.ece);
  std::printf("threshold %.4f (%s precision %.2f): precision %.3f recall %.3f FPR %.4f\n", bundle.threshold,
              bundle.target_reached ? "reaches target" : "no threshold reaches target, fallback 0.5 for target",
              args.target_precision, m.precision_at_threshold, m.recall_at_threshold, m.fpr_at_threshold);
  if (bundle.skip_weights) {
    std::printf("skip head: %zu train decision points, best epoch %d, validation ROC-AUC %.4f\n",
                bundle.skip_train_examples, bundle.skip_best_epoch, bundle.skip_valid_roc_auc);
  } else {
    std::printf("skip head: none\n");
  }
  std::printf("took %.1f s\n", seconds);
}

int Run(const TrainArgs& args) {
  const auto t0 = std::chrono::steady_clock::now();
  if (Status s = ValidateTrainArgs(args); !s.ok()) return Fail(s.message(), 2);
  // Bundles are immutable: refuse an existing --out before spending minutes on training.
  std::error_code ec;
  if (std::filesystem::exists(args.out, ec) && !std::filesystem::is_empty(args.out, ec)) {
    return Fail(args.out + ": already exists; bundles are immutable, pick a new version", 2);
  }
  Catalog catalog;
  if (Status s = LoadCatalogFlag(args.data, &catalog); !s.ok()) return Fail(s.message());
  Result<EventFile> file = ReadEventsReportingRejects(args.data.events);
  if (!file.ok()) return Fail(file.status().message());
  Result<DisengagementTraining> trained = TrainDisengagement(std::move(file->events), &catalog, args, 0);
  if (!trained.ok()) {
    return Fail(trained.status().message(), trained.status().code() == StatusCode::kInvalidArgument ? 2 : 1);
  }
  if (Status s = SaveBundle(trained->bundle, args.out); !s.ok()) return Fail(s.message());
  Print(args, *trained, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}

}  // namespace

void AddTrainCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("train", "Train models from listening data");
  app->require_subcommand(1);
  auto args = std::make_shared<TrainArgs>();
  CLI::App* d = app->add_subcommand(
      "disengagement",
      "Train the disengagement Transformer on the decision points of an events file and write a model "
      "bundle (weights, skip head, config, metrics, score histogram, threshold); see docs/models.md");
  AddEventsFlags(d, &args->data, "Events NDJSON (segue simulate / import / log export)");
  d->add_option("--out", args->out, "Bundle folder to create, e.g. models/disengagement/v0001 (must not exist)")
      ->required();
  AddDatasetFlags(d, &args->data);
  d->add_option("--target-precision", args->target_precision,
                "Decision threshold: the lowest validation score reaching this precision")
      ->capture_default_str();
  d->add_option("--seed", args->seed, "Random seed (initialisation, shuffling, dropout)")->capture_default_str();
  AddTrainingFlags(d, args.get());
  d->add_flag("--json", args->json, "Print one JSON object on stdout (progress stays on stderr)");
  out.push_back({d, [args] { return Run(*args); }});
  AddTrainRetrievalCommand(app, out);
  AddTrainRankerCommand(app, out);
  AddTrainAllCommand(app, out);
}

}  // namespace segue::cli
