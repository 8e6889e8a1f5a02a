// Random but well-formed play steps for the model benchmarks (scoring_bench, two_tower_bench): only the
// shapes and value ranges matter for the cost being measured.
#pragma once

#include <cstdint>
#include <random>

#include "features/feature_spec.h"

namespace segue {

inline StepFeatures RandomStep(std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(0.f, 1.f);
  StepFeatures s;
  s.track = static_cast<uint16_t>(1 + rng() % (kTrackBuckets - 1));
  s.artist = static_cast<uint16_t>(1 + rng() % (kArtistBuckets - 1));
  s.genre = static_cast<uint8_t>(rng() % kGenreVocab);
  s.end = static_cast<uint8_t>(1 + rng() % 2);
  s.hour = static_cast<uint8_t>(1 + rng() % 24);
  for (float& v : s.numeric) v = u(rng);
  return s;
}

}  // namespace segue
