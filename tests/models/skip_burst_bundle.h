// A disengagement bundle trained in seconds on the synthetic skip-burst signal (synthetic_features.h: a
// positive label is likely after >= 3 skips among the last 5 plays), for tests that need a working model:
// the scorer, the train/serve parity of live scoring, and end-to-end serving. Test-only.
#pragma once

#include <gtest/gtest.h>

#include "features/feature_spec.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_trainer.h"
#include "synthetic_features.h"

namespace segue::testing {

// Trains on `train_examples` windows (seed) and validates on `valid_examples` (seed + 1); the threshold is
// chosen for the bundle's default target precision (0.6).
inline DisengagementBundle TrainSkipBurstBundle(size_t train_examples, size_t valid_examples, uint64_t seed,
                                                int epochs) {
  auto train = MakeSkipBurstSet(train_examples, seed);
  auto valid = MakeSkipBurstSet(valid_examples, seed + 1);
  TrainOptions options;
  options.max_epochs = epochs;
  options.patience = 2;
  options.batch_size = 128;
  auto trained = TrainDisengagementTransformer(train.x, train.y, valid.x, valid.y, options);
  DisengagementBundle bundle;
  EXPECT_TRUE(trained.ok()) << trained.status().ToString();
  if (!trained.ok()) return bundle;
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.architecture = trained->architecture;
  bundle.weights = trained->weights;
  SummariseValidation(trained->valid_scores, valid.y, &bundle);
  return bundle;
}

}  // namespace segue::testing
