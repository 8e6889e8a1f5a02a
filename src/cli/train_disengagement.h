// The training half of `segue train disengagement`, shared with `segue train all` (the retraining with a
// promotion gate): labelled decision points from events, the served model of the kind asked for
// (disengagement_predictor.h: the Transformer, logistic regression, or both stacked; logistic_stack.h),
// the Transformer skip head, the bundle.
//
// Which examples (by default): only the training part of both evaluation splits (sessions in the first 80% of each
// listener's time, listeners not held out), so `segue eval` on the same events measures unseen data. Of
// those, sessions with session % 5 == 0 are the validation slice (early stopping, threshold, metrics).
// With max_test_examples > 0 the decision points of the evaluation part (the rest) are kept too, up to
// that many, in file order: the held-out set the promotion gate scores the candidate and the current
// bundle on (neither was trained or early-stopped on it). A caller may choose the training examples
// instead (cross-validation by listener: every decision point of the other folds' listeners); the
// validation slice is then still session % 5 == 0 of those.
// Thread-safety: one training at a time per process (LibTorch's global seed and thread count).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include <CLI/CLI.hpp>

#include "cli/dataset_flags.h"
#include "common/status.h"
#include "events/event.h"
#include "features/feature_spec.h"
#include "models/disengagement_bundle.h"

namespace segue::cli {

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
  bool id_embeddings = false;  // track / artist bucket embeddings (TransformerConfig::id_embeddings)
  std::string model_kind = "transformer";  // what the bundle serves: transformer, logistic, stacked
  bool json = false;
};

struct DisengagementTraining {
  DisengagementBundle bundle;  // ready to save (created, source and training summary filled)
  size_t train_examples = 0, train_positives = 0, valid_examples = 0, valid_positives = 0;
  std::vector<FeatureVector> test_x;  // the evaluation part's decision points (max_test_examples)
  std::vector<uint8_t> test_y;
};

// The trainer's flags both `segue train disengagement` and `segue eval disengagement --cv-listeners` take
// (--epochs, --patience, --batch-size, --learning-rate, --d-model, --layers, --heads, --model-kind,
// --id-embeddings, --threads, --max-examples, --no-skip-head), with the same names, defaults and help.
void AddTrainingFlags(CLI::App* app, TrainArgs* args);

// kInvalidArgument naming the bad option, so a command can refuse it before reading its inputs.
Status ValidateTrainArgs(const TrainArgs& args);

// kInvalidArgument for bad options (before any training); training errors otherwise. Progress and
// warnings go to stderr. `is_training` (when set) says which decision points train the model; the others
// are the evaluation part.
Result<DisengagementTraining> TrainDisengagement(std::vector<Event> events, Catalog* catalog, const TrainArgs& args,
                                                 size_t max_test_examples,
                                                 const std::function<bool(const ExampleInfo&)>& is_training = {});

}  // namespace segue::cli
