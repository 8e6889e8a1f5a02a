// Assignment: which arm of an experiment a listener is in. Deterministic and stable across restarts,
// processes and versions: a fixed function of (experiment id, listener id) and the arms' weights only.
//
//   h = Mix64(FNV-1a 64 of (experiment id + '\0' + listener id)); bucket = h mod (sum of weights);
//   the arm is the one whose cumulative weight range holds the bucket (arms in their configured order).
//
// FNV-1a alone (common/hash.h) spreads similar ids ("u1", "u2", ...) poorly over small moduli; the
// Mix64 finaliser (MurmurHash3's fmix64) makes every input bit affect the low bits. The experiment id
// is part of the key, so a listener's arms in two experiments are independent draws. These values are
// a contract (a listener must not change arm when the server restarts): never change the function.
// Reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "experiments/experiment_spec.h"

namespace segue::experiments {

constexpr uint64_t Mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t AssignmentHash(std::string_view experiment_id, std::string_view user_id);

// The arm's index in spec.arms. `spec` must be valid (ValidateExperiment: the weights sum to at least 1).
size_t AssignArm(const ExperimentSpec& spec, std::string_view user_id);

}  // namespace segue::experiments
