// Synthetic FeatureVectors for the Transformer tests: random but plausible steps, and a stream helper
// that turns a growing play history into the 32-step windows the feature code produces.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "features/feature_spec.h"

namespace segue::testing {

inline StepFeatures RandomStep(std::mt19937_64& rng, bool skipped) {
  std::uniform_real_distribution<float> u(0.f, 1.f);
  StepFeatures s;
  s.track = static_cast<uint16_t>(1 + rng() % (kTrackBuckets - 1));
  s.artist = static_cast<uint16_t>(1 + rng() % (kArtistBuckets - 1));
  s.genre = static_cast<uint8_t>(rng() % kGenreVocab);
  s.end = static_cast<uint8_t>(skipped ? 2 : 1);
  s.hour = static_cast<uint8_t>(1 + rng() % 24);
  s.numeric[kStepSkipped] = skipped ? 1.f : 0.f;
  s.numeric[kStepLogDwellSec] = skipped ? 1.f + 2.f * u(rng) : 4.5f + 0.8f * u(rng);
  s.numeric[kStepDwellRatio] = skipped ? 0.2f * u(rng) : 0.9f + 0.1f * u(rng);
  s.numeric[kStepDurationKnown] = 1.f;
  s.numeric[kStepLogGapSec] = 2.f * u(rng);
  s.numeric[kStepPopularity] = u(rng);
  return s;
}

// Context inputs that carry no label information (noise only).
inline void RandomContext(std::mt19937_64& rng, FeatureVector& fv) {
  std::normal_distribution<float> n(0.f, 1.f);
  for (float& c : fv.context) c = n(rng);
}

// The window over the last kSequenceLength steps of `history`.
inline FeatureVector WindowOf(const std::vector<StepFeatures>& history) {
  FeatureVector fv;
  const size_t n = std::min<size_t>(history.size(), kSequenceLength);
  fv.length = static_cast<int>(n);
  std::copy(history.end() - static_cast<std::ptrdiff_t>(n), history.end(), fv.steps.begin());
  return fv;
}

// A labelled data set with a sequence signal: a decision point is positive with high probability when at
// least 3 of the last 5 plays were skipped, and rarely otherwise. Only the sequence carries the signal.
struct SyntheticSet {
  std::vector<FeatureVector> x;
  std::vector<uint8_t> y;
};
inline SyntheticSet MakeSkipBurstSet(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  SyntheticSet set;
  for (size_t i = 0; i < n; ++i) {
    const int len = 1 + static_cast<int>(rng() % kSequenceLength);
    const float skip_rate = 0.1f + 0.5f * u(rng);
    std::vector<StepFeatures> history;
    for (int s = 0; s < len; ++s) history.push_back(RandomStep(rng, u(rng) < skip_rate));
    int recent_skips = 0;
    for (int s = std::max(0, len - 5); s < len; ++s) recent_skips += history[static_cast<size_t>(s)].end == 2;
    FeatureVector fv = WindowOf(history);
    RandomContext(rng, fv);
    set.x.push_back(fv);
    set.y.push_back(u(rng) < (recent_skips >= 3 ? 0.8f : 0.08f) ? 1 : 0);
  }
  return set;
}

}  // namespace segue::testing
