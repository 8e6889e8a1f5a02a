// Binary-classification metrics for the disengagement models: ranking (ROC-AUC, PR-AUC), operating
// point (Precision@K, false-positive rate at a threshold, threshold for a target precision) and
// calibration (expected calibration error). Scores are "higher = more likely positive"; labels are 0/1.
// All functions take parallel vectors of equal length and are exact (sorting, no sampling). Degenerate
// inputs (no positives or no negatives) give NaN for the metrics that are undefined there.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace segue {

// Area under the ROC curve; tied scores count one half (Mann-Whitney U).
double RocAuc(std::span<const float> scores, std::span<const uint8_t> labels);

// Average precision (area under the precision-recall step curve, as scikit-learn computes it): the
// mean over thresholds of precision weighted by the recall gained; tied scores form one threshold.
double AveragePrecision(std::span<const float> scores, std::span<const uint8_t> labels);

// Share of positives among the k highest scores (ties broken by input order); k is clamped to size.
double PrecisionAtK(std::span<const float> scores, std::span<const uint8_t> labels, size_t k);

// Negatives with score >= threshold / all negatives.
double FalsePositiveRate(std::span<const float> scores, std::span<const uint8_t> labels, float threshold);

// Precision of "score >= threshold"; NaN when nothing is predicted positive.
double PrecisionAt(std::span<const float> scores, std::span<const uint8_t> labels, float threshold);

// Expected calibration error with `bins` equal-width probability bins over [0, 1]: the sum over bins
// of (bin share of examples) * |mean predicted probability - observed positive rate|. Scores must be
// probabilities (values outside [0, 1] are clamped).
double ExpectedCalibrationError(std::span<const float> probabilities, std::span<const uint8_t> labels,
                                int bins = 10);

// The lowest threshold (one of the scores) whose precision is at least `target_precision`, i.e. the
// highest-recall operating point meeting the target; nullopt when no threshold reaches it.
std::optional<float> ThresholdForPrecision(std::span<const float> scores, std::span<const uint8_t> labels,
                                           double target_precision);

}  // namespace segue
