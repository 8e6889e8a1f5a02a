#include "cli/train_disengagement.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <utility>

#include "common/time_util.h"
#include "models/dataset.h"
#include "models/disengagement_trainer.h"
#include "models/listener_folds.h"
#include "models/logistic_stack.h"

namespace segue::cli {
namespace {

size_t Positives(const std::vector<uint8_t>& y) { return static_cast<size_t>(std::count(y.begin(), y.end(), 1)); }

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

Result<TrainOptions> ToTrainOptions(const TrainArgs& args) {
  if (!(args.target_precision > 0 && args.target_precision <= 1)) {
    return Status::InvalidArgument("--target-precision must be in (0, 1]");
  }
  TrainOptions o;
  o.architecture.d_model = args.d_model;
  o.architecture.layers = args.layers;
  o.architecture.heads = args.heads;
  o.architecture.ffn_dim = 2 * args.d_model;
  o.architecture.id_embeddings = args.id_embeddings;
  o.max_epochs = args.epochs;
  o.patience = args.patience;
  o.batch_size = args.batch_size;
  o.learning_rate = args.learning_rate;
  o.seed = args.seed;
  o.threads = args.threads;
  if (Status s = o.architecture.Validate(); !s.ok()) return s;
  return o;
}

// The decision points of `events`, split as the header says.
struct Examples {
  DatasetSummary summary;
  std::vector<FeatureVector> train_x, valid_x, test_x;
  std::vector<uint8_t> train_y, valid_y, test_y;
  std::vector<int8_t> train_skip, valid_skip;  // next_play_skipped per example, for the skip head
};

Status CollectExamples(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                       const TrainArgs& args, size_t max_test_examples,
                       const std::function<bool(const ExampleInfo&)>& is_training, Examples* out) {
  size_t skipped_cap = 0;
  Result<DatasetSummary> summary = ForEachExample(
      std::move(events), catalog, options, [&](const ExampleInfo& info, const FeatureVector& fv) {
        if (is_training ? !is_training(info) : (!info.time_train || info.holdout_user)) {
          if (out->test_x.size() < max_test_examples) {
            out->test_x.push_back(fv);
            out->test_y.push_back(info.label);
          }
          return;
        }
        if (out->train_x.size() + out->valid_x.size() >= args.max_examples) {
          ++skipped_cap;
          return;
        }
        const bool valid = IsValidationSession(info.session);
        (valid ? out->valid_x : out->train_x).push_back(fv);
        (valid ? out->valid_y : out->train_y).push_back(info.label);
        (valid ? out->valid_skip : out->train_skip).push_back(info.next_play_skipped);
      });
  if (!summary.ok()) return summary.status();
  out->summary = *summary;
  if (skipped_cap > 0) {
    std::cerr << "note: --max-examples " << args.max_examples << " reached; " << skipped_cap
              << " later training decision points were not used\n";
  }
  std::cerr << "examples: " << out->train_x.size() << " train (" << Positives(out->train_y) << " positive), "
            << out->valid_x.size() << " validation (" << Positives(out->valid_y) << " positive)\n";
  return Status::Ok();
}

}  // namespace

void AddTrainingFlags(CLI::App* app, TrainArgs* args) {
  app->add_option("--epochs", args->epochs, "Maximum epochs")->capture_default_str()->check(CLI::Range(1, 1000));
  app->add_option("--patience", args->patience, "Stop after this many epochs without a better validation ROC-AUC")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app->add_option("--batch-size", args->batch_size, "Mini-batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  app->add_option("--learning-rate", args->learning_rate, "AdamW learning rate")->capture_default_str();
  app->add_option("--d-model", args->d_model, "Transformer width")->capture_default_str();
  app->add_option("--layers", args->layers, "Encoder layers")->capture_default_str();
  app->add_option("--heads", args->heads, "Attention heads (must divide --d-model)")->capture_default_str();
  app->add_option("--threads", args->threads, "LibTorch intra-op threads")->capture_default_str()->check(CLI::Range(1, 64));
  app->add_option("--max-examples", args->max_examples,
                  "Cap on training + validation decision points kept in memory (~2.2 KB each)")
      ->capture_default_str();
  app->add_option("--model-kind", args->model_kind,
                  "What the bundle serves: transformer, logistic (regression on the hand-made features, "
                  "the logistic baseline itself) or stacked (both, blended on validation); docs/models.md")
      ->capture_default_str();
  app->add_flag("--id-embeddings", args->id_embeddings,
                "Give the Transformer track and artist bucket embeddings (off by default: they memorise the "
                "training listeners and hurt on new ones, docs/models.md)");
  app->add_flag("--no-skip-head", args->no_skip_head,
                "Do not train the skip head (a second Transformer on \"the next play is skipped\", used only for "
                "the WSDM Cup metrics of segue eval; it doubles the training time)");
}

Status ValidateTrainArgs(const TrainArgs& args) {
  if (Result<DatasetOptions> dataset = ToDatasetOptions(args.data); !dataset.ok()) return dataset.status();
  if (Result<PredictorKind> kind = ParsePredictorKind(args.model_kind); !kind.ok()) {
    return Status::InvalidArgument("--model-kind: " + kind.status().message());
  }
  return ToTrainOptions(args).status();
}

Result<DisengagementTraining> TrainDisengagement(std::vector<Event> events, Catalog* catalog, const TrainArgs& args,
                                                 size_t max_test_examples,
                                                 const std::function<bool(const ExampleInfo&)>& is_training) {
  Result<DatasetOptions> dataset = ToDatasetOptions(args.data);
  if (!dataset.ok()) return dataset.status();
  Result<TrainOptions> train_options = ToTrainOptions(args);
  if (!train_options.ok()) return train_options.status();
  Result<PredictorKind> kind = ParsePredictorKind(args.model_kind);
  if (!kind.ok()) return Status::InvalidArgument("--model-kind: " + kind.status().message());
  Examples ex;
  if (Status s = CollectExamples(std::move(events), catalog, *dataset, args, max_test_examples, is_training, &ex); !s.ok()) return s;

  DisengagementTraining out;
  DisengagementBundle& bundle = out.bundle;
  bundle.kind = *kind;
  bundle.architecture = train_options->architecture;
  std::vector<float> valid_scores;
  if (*kind != PredictorKind::kLogistic) {
    train_options->on_epoch = [&args](const EpochReport& r) {
      std::fprintf(stderr, "epoch %d/%d: loss %.4f  val ROC-AUC %.4f  PR-AUC %.4f  (%.1f s)%s\n", r.epoch, args.epochs,
                   r.train_loss, r.valid_roc_auc, r.valid_pr_auc, r.seconds, r.improved ? "  best" : "");
    };
    Result<TrainResult> trained = TrainDisengagementTransformer(ex.train_x, ex.train_y, ex.valid_x, ex.valid_y, *train_options);
    if (!trained.ok()) return trained.status();
    bundle.architecture = trained->architecture;
    bundle.weights = std::move(trained->weights);
    bundle.best_epoch = trained->best_epoch;
    bundle.pos_weight = trained->pos_weight;
    bundle.history = trained->history;
    valid_scores = std::move(trained->valid_scores);
  }
  if (*kind != PredictorKind::kTransformer) {
    Result<LogisticStack> stack = FitLogisticStack(ex.train_x, ex.train_y, ex.valid_x, ex.valid_y, valid_scores);
    if (!stack.ok()) return stack.status();
    bundle.logistic = std::move(stack->logistic);
    bundle.blend = stack->blend;
    valid_scores = std::move(stack->valid_scores);
    std::fprintf(stderr, "%s: blend %.3f * logit(transformer) + %.3f * logistic margin + %.3f\n", args.model_kind.c_str(),
                 bundle.blend.transformer, bundle.blend.logistic, bundle.blend.bias);
  }
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.labels = dataset->labels;
  bundle.target_precision = args.target_precision;
  bundle.created = FormatRfc3339Ms(NowMs());
  bundle.source = args.data.events;
  bundle.train_examples = ex.train_x.size();
  bundle.training_engagement = ex.summary.engagement;
  SummariseValidation(valid_scores, ex.valid_y, &bundle);
  const double base_rate =
      ex.valid_y.empty() ? 0.0 : static_cast<double>(Positives(ex.valid_y)) / static_cast<double>(ex.valid_y.size());
  if (args.target_precision <= base_rate) {
    std::fprintf(stderr,
                 "warning: --target-precision %.2f is not above the validation positive rate %.3f: every score "
                 "reaches it, so the threshold flags nearly everything; choose a higher target\n",
                 args.target_precision, base_rate);
  }
  out.train_examples = ex.train_x.size();
  out.train_positives = Positives(ex.train_y);
  out.valid_examples = ex.valid_x.size();
  out.valid_positives = Positives(ex.valid_y);
  if (!args.no_skip_head) TrainSkipHead(ex.train_skip, ex.valid_skip, &ex.train_x, &ex.valid_x, *train_options, &bundle);
  out.test_x = std::move(ex.test_x);
  out.test_y = std::move(ex.test_y);
  return out;
}

}  // namespace segue::cli
