// The disengagement score's histogram: the fixed binning shared by training (the bundle's reference
// histogram of validation scores, disengagement_bundle.h) and serving (the live window, score_drift.h),
// and the population stability index (PSI) that compares the two.
//
// PSI = Σ_i (a_i − e_i) · ln(a_i / e_i) over the bins, with e_i the reference's and a_i the live share
// of bin i; a share of 0 is replaced by `epsilon` (the usual guard: an empty bin would make the log
// infinite). Rules of thumb: < 0.1 stable, 0.1–0.2 a moderate shift, > 0.2 a significant shift.
// Pure functions; thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

namespace segue {

// Equal-width bins over [0, 1]; a score of exactly 1 falls into the last bin.
inline constexpr int kScoreHistogramBins = 20;
inline constexpr double kPsiEpsilon = 1e-4;

inline int ScoreBin(float score) {
  return std::clamp(static_cast<int>(score * kScoreHistogramBins), 0, kScoreHistogramBins - 1);
}

// NaN when the histograms differ in size or either is empty (no distribution to compare).
double PopulationStabilityIndex(std::span<const uint64_t> reference, std::span<const uint64_t> live,
                                double epsilon = kPsiEpsilon);

}  // namespace segue
