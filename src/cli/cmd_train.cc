// `segue train disengagement`: replays an events file into labelled decision points (the same dataset
// code as `segue eval`), trains the Transformer and writes a self-describing bundle (docs/models.md).
// Unless --no-skip-head, a second Transformer of the same architecture is trained with the same trainer
// on "the next play is skipped" (examples with a next play only) and saved as the bundle's skip head.
//
// Which examples: only the training part of both evaluation splits (sessions in the first 80% of each
// listener's time, listeners not held out), so `segue eval` on the same file measures unseen data. Of
// those, sessions with session % 5 == 0 are the validation slice (early stopping, threshold, metrics).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/dataset_flags.h"
#include "common/time_util.h"
#include "models/dataset.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_trainer.h"

namespace segue::cli {
namespace {

struct TrainArgs {
  DatasetFlags data;
  std::string out;
  int epochs = 12;
  int patience = 3;
  int batch_size = 256;
  double learning_rate = 2e-3;
  double target_precision = 0.6;
  int d_model = 32;
  int layers = 2;
  int heads = 4;
  uint64_t seed = 17;
  int threads = 1;
  size_t max_examples = 400'000;
  bool no_skip_head = false;
  bool json = false;
};

nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

int Fail(const std::string& message, int code = 1) {
  std::cerr << "segue train: " << message << "\n";
  return code;
}

// Keeps the examples whose next play is known (skip[i] >= 0), in order, and returns their skip labels.
// In place: the disengagement model is trained by then, and a copy would double the largest allocation.
std::vector<uint8_t> KeepKnownSkips(const std::vector<int8_t>& skip, std::vector<FeatureVector>* x) {
  std::vector<uint8_t> labels;
  size_t kept = 0;
  for (size_t i = 0; i < skip.size(); ++i) {
    if (skip[i] < 0) continue;
    if (kept != i) (*x)[kept] = std::move((*x)[i]);
    ++kept;
    labels.push_back(static_cast<uint8_t>(skip[i]));
  }
  x->resize(kept);
  return labels;
}

// The skip head: the same trainer and architecture on the target "the next play is skipped", for the
// WSDM Cup metrics of `segue eval`. Fills bundle->skip_*; a data set it cannot learn from (e.g. no skip
// at all in the validation slice) is a warning, not a failed training: the main model is still good.
void TrainSkipHead(const std::vector<int8_t>& train_skip, const std::vector<int8_t>& valid_skip,
                   std::vector<FeatureVector>* train_x, std::vector<FeatureVector>* valid_x, TrainOptions options,
                   DisengagementBundle* bundle) {
  const std::vector<uint8_t> train_y = KeepKnownSkips(train_skip, train_x);
  const std::vector<uint8_t> valid_y = KeepKnownSkips(valid_skip, valid_x);
  std::cerr << "skip head: " << train_x->size() << " train, " << valid_x->size()
            << " validation decision points with a next play\n";
  options.on_epoch = [max = options.max_epochs](const EpochReport& r) {
    std::fprintf(stderr, "skip head epoch %d/%d: loss %.4f  val ROC-AUC %.4f  (%.1f s)%s\n", r.epoch, max,
                 r.train_loss, r.valid_roc_auc, r.seconds, r.improved ? "  best" : "");
  };
  Result<TrainResult> trained = TrainDisengagementTransformer(*train_x, train_y, *valid_x, valid_y, options);
  if (!trained.ok()) {
    std::cerr << "warning: no skip head in the bundle (its WSDM metrics will be null): "
              << trained.status().message() << "\n";
    return;
  }
  bundle->skip_weights = std::move(trained->weights);
  bundle->skip_best_epoch = trained->best_epoch;
  bundle->skip_train_examples = train_x->size();
  bundle->skip_valid_roc_auc =
      trained->best_epoch >= 1 ? trained->history[static_cast<size_t>(trained->best_epoch - 1)].valid_roc_auc : NAN;
}

int Run(const TrainArgs& args) {
  const auto t0 = std::chrono::steady_clock::now();
  Result<DatasetOptions> dataset = ToDatasetOptions(args.data);
  if (!dataset.ok()) return Fail(dataset.status().message(), 2);
  const DatasetOptions& options = *dataset;
  if (!(args.target_precision > 0 && args.target_precision <= 1)) return Fail("--target-precision must be in (0, 1]", 2);

  TrainOptions train_options;
  train_options.architecture.d_model = args.d_model;
  train_options.architecture.layers = args.layers;
  train_options.architecture.heads = args.heads;
  train_options.architecture.ffn_dim = 2 * args.d_model;
  train_options.max_epochs = args.epochs;
  train_options.patience = args.patience;
  train_options.batch_size = args.batch_size;
  train_options.learning_rate = args.learning_rate;
  train_options.seed = args.seed;
  train_options.threads = args.threads;
  if (Status s = train_options.architecture.Validate(); !s.ok()) return Fail(s.message(), 2);

  // Bundles are immutable: refuse an existing --out before spending minutes on training.
  std::error_code ec;
  if (std::filesystem::exists(args.out, ec) && !std::filesystem::is_empty(args.out, ec)) {
    return Fail(args.out + ": already exists; bundles are immutable, pick a new version", 2);
  }

  Catalog catalog;
  if (Status s = LoadCatalogFlag(args.data, &catalog); !s.ok()) return Fail(s.message());
  Result<EventFile> file = ReadEventsReportingRejects(args.data.events);
  if (!file.ok()) return Fail(file.status().message());

  std::vector<FeatureVector> train_x, valid_x;
  std::vector<uint8_t> train_y, valid_y;
  std::vector<int8_t> train_skip, valid_skip;  // next_play_skipped per example, for the skip head
  size_t skipped_cap = 0;
  Result<DatasetSummary> summary = ForEachExample(
      std::move(file->events), &catalog, options, [&](const ExampleInfo& info, const FeatureVector& fv) {
        if (!info.time_train || info.holdout_user) return;  // kept for `segue eval`
        if (train_x.size() + valid_x.size() >= args.max_examples) {
          ++skipped_cap;
          return;
        }
        const bool valid = info.session % 5 == 0;
        (valid ? valid_x : train_x).push_back(fv);
        (valid ? valid_y : train_y).push_back(info.label);
        (valid ? valid_skip : train_skip).push_back(info.next_play_skipped);
      });
  if (!summary.ok()) return Fail(summary.status().message());
  if (skipped_cap > 0) {
    std::cerr << "note: --max-examples " << args.max_examples << " reached; " << skipped_cap
              << " later training decision points were not used\n";
  }
  auto positives = [](const std::vector<uint8_t>& y) { return static_cast<size_t>(std::count(y.begin(), y.end(), 1)); };
  std::cerr << "examples: " << train_x.size() << " train (" << positives(train_y) << " positive), " << valid_x.size()
            << " validation (" << positives(valid_y) << " positive)\n";

  train_options.on_epoch = [&args](const EpochReport& r) {
    std::fprintf(stderr, "epoch %d/%d: loss %.4f  val ROC-AUC %.4f  PR-AUC %.4f  (%.1f s)%s\n", r.epoch, args.epochs,
                 r.train_loss, r.valid_roc_auc, r.valid_pr_auc, r.seconds, r.improved ? "  best" : "");
  };
  Result<TrainResult> trained = TrainDisengagementTransformer(train_x, train_y, valid_x, valid_y, train_options);
  if (!trained.ok()) return Fail(trained.status().message());

  DisengagementBundle bundle;
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.architecture = trained->architecture;
  bundle.weights = std::move(trained->weights);
  bundle.labels = options.labels;
  bundle.target_precision = args.target_precision;
  bundle.created = FormatRfc3339Ms(NowMs());
  bundle.source = args.data.events;
  bundle.train_examples = train_x.size();
  bundle.best_epoch = trained->best_epoch;
  bundle.pos_weight = trained->pos_weight;
  bundle.history = trained->history;
  bundle.training_engagement = summary->engagement;
  SummariseValidation(trained->valid_scores, valid_y, &bundle);
  const double base_rate = valid_y.empty() ? 0.0 : static_cast<double>(positives(valid_y)) / static_cast<double>(valid_y.size());
  if (args.target_precision <= base_rate) {
    std::fprintf(stderr,
                 "warning: --target-precision %.2f is not above the validation positive rate %.3f: every score "
                 "reaches it, so the threshold flags nearly everything; choose a higher target\n",
                 args.target_precision, base_rate);
  }
  const size_t train_count = train_x.size(), valid_count = valid_x.size();
  if (!args.no_skip_head) TrainSkipHead(train_skip, valid_skip, &train_x, &valid_x, train_options, &bundle);
  if (Status s = SaveBundle(bundle, args.out); !s.ok()) return Fail(s.message());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const BundleMetrics& m = bundle.validation;
  if (args.json) {
    nlohmann::json out = {
        {"bundle", args.out},
        {"feature_spec_version", kFeatureSpecVersion},
        {"train_examples", train_count},
        {"train_positives", positives(train_y)},
        {"validation_examples", valid_count},
        {"validation_positives", positives(valid_y)},
        {"epochs", trained->history.size()},
        {"best_epoch", trained->best_epoch},
        {"validation",
         {{"roc_auc", Num(m.roc_auc)},
          {"pr_auc", Num(m.pr_auc)},
          {"precision_at_k", Num(m.precision_at_k)},
          {"k", m.k},
          {"precision_at_threshold", Num(m.precision_at_threshold)},
          {"recall_at_threshold", Num(m.recall_at_threshold)},
          {"fpr_at_threshold", Num(m.fpr_at_threshold)},
          {"ece", Num(m.ece)}}},
        {"threshold", bundle.threshold},
        {"target_precision", args.target_precision},
        {"target_reached", bundle.target_reached},
        {"skip_head", bundle.skip_weights ? nlohmann::json{{"train_examples", bundle.skip_train_examples},
                                                           {"best_epoch", bundle.skip_best_epoch},
                                                           {"valid_roc_auc", Num(bundle.skip_valid_roc_auc)}}
                                          : nlohmann::json(nullptr)},
        {"seconds", seconds}};
    std::cout << out.dump() << "\n";
  } else {
    std::printf("bundle %s: %zu train / %zu validation decision points, best epoch %d of %zu\n", args.out.c_str(),
                train_count, valid_count, trained->best_epoch, trained->history.size());
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
  d->add_option("--epochs", args->epochs, "Maximum epochs")->capture_default_str()->check(CLI::Range(1, 1000));
  d->add_option("--patience", args->patience, "Stop after this many epochs without a better validation ROC-AUC")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  d->add_option("--batch-size", args->batch_size, "Mini-batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  d->add_option("--learning-rate", args->learning_rate, "AdamW learning rate")->capture_default_str();
  AddDatasetFlags(d, &args->data);
  d->add_option("--target-precision", args->target_precision,
                "Decision threshold: the lowest validation score reaching this precision")
      ->capture_default_str();
  d->add_option("--d-model", args->d_model, "Transformer width")->capture_default_str();
  d->add_option("--layers", args->layers, "Encoder layers")->capture_default_str();
  d->add_option("--heads", args->heads, "Attention heads (must divide --d-model)")->capture_default_str();
  d->add_option("--seed", args->seed, "Random seed (initialisation, shuffling, dropout)")->capture_default_str();
  d->add_option("--threads", args->threads, "LibTorch intra-op threads")->capture_default_str()->check(CLI::Range(1, 64));
  d->add_option("--max-examples", args->max_examples,
                "Cap on training + validation decision points kept in memory (~2.2 KB each)")
      ->capture_default_str();
  d->add_flag("--no-skip-head", args->no_skip_head,
              "Do not train the skip head (a second Transformer on \"the next play is skipped\", used only for "
              "the WSDM Cup metrics of segue eval; it doubles the training time)");
  d->add_flag("--json", args->json, "Print one JSON object on stdout (progress stays on stderr)");
  out.push_back({d, [args] { return Run(*args); }});
  AddTrainRetrievalCommand(app, out);
  AddTrainRankerCommand(app, out);
}

}  // namespace segue::cli
