// K-fold assignment of listeners for cross-validation by listener (`segue eval disengagement
// --cv-listeners K`): every listener lands in exactly one fold, so each is evaluated exactly once by
// models fitted on the other folds only.
//
// Contract: listeners are ordered by a seeded hash of their id (Fnv1a64 of the id, mixed with the seed)
// and dealt round-robin into the folds in that order. The assignment depends only on the set of ids and
// the seed (not on file order), the fold sizes differ by at most one, and no fold is empty.
// Errors: kInvalidArgument when folds < 2 or folds > the number of listeners.
// The parts of a fold: its listeners' decision points are evaluated; every other listener's train the
// models, with sessions % 5 == 0 as the validation slice (threshold, early stopping) as in
// `segue train disengagement`. No listener is on both sides.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "models/dataset.h"

namespace segue {

// The fold (0..folds-1) of each listener, parallel to `listener_ids`.
Result<std::vector<uint32_t>> AssignListenerFolds(std::span<const std::string> listener_ids, uint32_t folds,
                                                  uint64_t seed);

struct FoldParts {
  std::vector<size_t> fit, validation, eval;  // example indices
};
FoldParts PartsOfFold(std::span<const ExampleInfo> examples, std::span<const uint32_t> fold_of_user, uint32_t fold);

// The validation slice of training data (sessions with session % 5 == 0), shared by the baselines and
// the Transformer's trainer.
inline bool IsValidationSession(uint32_t session) { return session % 5 == 0; }

}  // namespace segue
