// The served model under cross-validation by listener (`segue eval disengagement --cv-listeners K`):
// per fold, a bundle trained exactly as `segue train disengagement` trains one (TrainDisengagement with
// the same TrainArgs), on every decision point of the other folds' listeners, saved and loaded back as
// the server loads it (SaveBundle + LoadScoringBundle in a temporary folder, removed afterwards), then
// run over the fold's own listeners. Each example of the table gets the score, skip probability and
// threshold of the one model that never saw its listener.
// Progress (one line per fold, plus the trainer's epoch lines) goes to stderr.
// Thread-safety: one call at a time per process (LibTorch's global seed and thread count).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "catalog/catalog.h"
#include "cli/train_disengagement.h"
#include "common/status.h"
#include "events/event.h"
#include "models/disengagement_eval.h"

namespace segue::cli {

// `table` was built from `events` with the same dataset options (same examples in the same order);
// `fold_of_user[u]` is the fold of dense listener u. Fills table->sequence_score, sequence_threshold and
// (when every fold's bundle has a skip head) sequence_skip.
Status ScoreWithFoldModels(const std::vector<Event>& events, Catalog* catalog, const TrainArgs& args,
                           std::span<const uint32_t> fold_of_user, uint32_t folds, EvalTable* table);

}  // namespace segue::cli
