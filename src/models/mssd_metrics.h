// The WSDM Cup 2019 (Spotify Sequential Skip Prediction) metrics, so our skip predictors can be set
// next to published numbers (the winner reached 0.651 mean average accuracy on the full dataset).
//
// For each session the plays of the second half (0-based indices >= floor(L / 2) of a session with L
// plays) are predicted given the first half. With T predictions p_1..p_T and truths y_1..y_T:
//   AA(session) = (1/T) * sum_i A(i) * [p_i == y_i],  A(i) = share of correct predictions among the first i
//   mean average accuracy   = mean of AA over sessions
//   first-prediction accuracy = share of sessions whose first second-half prediction is correct
// Sessions with an empty second half are not counted.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace segue {

struct SkipSequence {
  std::vector<uint8_t> predicted;  // 1 = predicted skip
  std::vector<uint8_t> actual;     // 1 = skipped; same length as predicted
};

// The first play index of the predicted half of a session with `plays` plays.
inline size_t SecondHalfStart(size_t plays) { return plays / 2; }

double AverageAccuracy(const SkipSequence& session);
// NaN when no session has predictions.
double MeanAverageAccuracy(std::span<const SkipSequence> sessions);
double FirstPredictionAccuracy(std::span<const SkipSequence> sessions);

}  // namespace segue
