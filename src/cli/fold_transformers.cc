#include "cli/fold_transformers.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>

#include "models/dataset.h"
#include "models/disengagement_bundle.h"

namespace segue::cli {
namespace {

namespace fs = std::filesystem;

// Saves the fold's bundle and loads it back as the server would; the folder is removed before returning.
Result<ScoringBundle> RoundTrip(const DisengagementBundle& bundle, uint32_t fold) {
  const fs::path dir = fs::temp_directory_path() /
                       ("segue_cv_" + std::to_string(::getpid()) + "_fold" + std::to_string(fold + 1));
  std::error_code ec;
  fs::remove_all(dir, ec);
  Status saved = SaveBundle(bundle, dir.string());
  Result<ScoringBundle> loaded = saved.ok() ? LoadScoringBundle(dir.string()) : Result<ScoringBundle>(saved);
  fs::remove_all(dir, ec);
  return loaded;
}

// Scores the fold's listeners with `model`; returns how many examples it scored.
Result<size_t> ScoreFold(const std::vector<Event>& events, Catalog* catalog, const DatasetOptions& options,
                         const ScoringBundle& model, std::span<const uint32_t> fold_of_user, uint32_t fold,
                         EvalTable* table) {
  size_t index = 0, scored = 0;
  bool aligned = true;
  Result<DatasetSummary> summary =
      ForEachExample(events, catalog, options, [&](const ExampleInfo& info, const FeatureVector& f) {
        const size_t i = index++;
        if (i >= table->info.size() || table->info[i].session != info.session) {
          aligned = false;
          return;
        }
        if (fold_of_user[info.user] != fold) return;
        table->sequence_score[i] = model.predictor->ScoreFresh(f);
        table->sequence_threshold[i] = model.bundle.threshold;
        if (model.skip_encoder && !table->sequence_skip.empty()) table->sequence_skip[i] = model.skip_encoder->ScoreFresh(f);
        ++scored;
      });
  if (!summary.ok()) return summary.status();
  if (!aligned || index != table->info.size()) {
    return Status::Internal("the replay for fold " + std::to_string(fold + 1) + " gave other decision points than the table");
  }
  return scored;
}

}  // namespace

Status ScoreWithFoldModels(const std::vector<Event>& events, Catalog* catalog, const TrainArgs& args,
                           std::span<const uint32_t> fold_of_user, uint32_t folds, EvalTable* table) {
  Result<DatasetOptions> options = ToDatasetOptions(args.data);
  if (!options.ok()) return options.status();
  options->progress = false;
  const size_t n = table->info.size();
  constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
  table->sequence_score.assign(n, kNaNf);
  table->sequence_threshold.assign(n, kNaNf);
  table->sequence_skip.assign(args.no_skip_head ? 0 : n, kNaNf);
  for (uint32_t k = 0; k < folds; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    auto in_training = [&](const ExampleInfo& info) { return fold_of_user[info.user] != k; };
    Result<DisengagementTraining> trained = TrainDisengagement(events, catalog, args, 0, in_training);
    if (!trained.ok()) return Status(trained.status().code(), "fold " + std::to_string(k + 1) + ": " + trained.status().message());
    Result<ScoringBundle> model = RoundTrip(trained->bundle, k);
    if (!model.ok()) return model.status();
    // A fold whose skip head could not be trained leaves no skip predictions for the served model at all:
    // pooled WSDM metrics over only some folds would not be comparable with the baselines'.
    if (!model->skip_encoder) table->sequence_skip.clear();
    Result<size_t> scored = ScoreFold(events, catalog, *options, *model, fold_of_user, k, table);
    if (!scored.ok()) return scored.status();
    std::fprintf(stderr,
                 "fold %u/%u: transformer trained on %zu + %zu validation decision points (best epoch %d), "
                 "threshold %.3f, scored %zu held-out decision points (%.1f s)\n",
                 k + 1, folds, trained->train_examples, trained->valid_examples, model->bundle.best_epoch,
                 model->bundle.threshold, *scored,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return Status::Ok();
}

}  // namespace segue::cli
