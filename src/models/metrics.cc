#include "models/metrics.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace segue {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Indices ordered by descending score; ties keep input order (stable), which PrecisionAtK documents.
std::vector<size_t> ByScoreDescending(std::span<const float> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

// Visits each distinct threshold (descending) with the cumulative true and false positives of
// "score >= threshold".
template <typename Visit>
void ForEachThreshold(std::span<const float> scores, std::span<const uint8_t> labels, Visit visit) {
  const std::vector<size_t> order = ByScoreDescending(scores);
  size_t tp = 0, fp = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    (labels[order[i]] ? tp : fp)++;
    if (i + 1 == order.size() || scores[order[i + 1]] != scores[order[i]]) visit(scores[order[i]], tp, fp);
  }
}

}  // namespace

double RocAuc(std::span<const float> scores, std::span<const uint8_t> labels) {
  assert(scores.size() == labels.size());
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Sum of the (tie-averaged, 1-based) ranks of the positives.
  double rank_sum = 0;
  size_t positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    size_t tied_pos = 0;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) tied_pos += labels[order[j++]] ? 1 : 0;
    rank_sum += tied_pos * (static_cast<double>(i + 1 + j) / 2.0);
    positives += tied_pos;
    i = j;
  }
  const size_t negatives = scores.size() - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  const double p = static_cast<double>(positives);
  return (rank_sum - p * (p + 1) / 2.0) / (p * static_cast<double>(negatives));
}

double AveragePrecision(std::span<const float> scores, std::span<const uint8_t> labels) {
  assert(scores.size() == labels.size());
  const size_t positives = static_cast<size_t>(std::count_if(labels.begin(), labels.end(), [](uint8_t l) { return l != 0; }));
  if (positives == 0) return kNaN;
  double ap = 0, prev_recall = 0;
  ForEachThreshold(scores, labels, [&](float, size_t tp, size_t fp) {
    const double recall = static_cast<double>(tp) / positives;
    ap += (recall - prev_recall) * static_cast<double>(tp) / static_cast<double>(tp + fp);
    prev_recall = recall;
  });
  return ap;
}

double PrecisionAtK(std::span<const float> scores, std::span<const uint8_t> labels, size_t k) {
  assert(scores.size() == labels.size());
  k = std::min(k, scores.size());
  if (k == 0) return kNaN;
  const std::vector<size_t> order = ByScoreDescending(scores);
  size_t hits = 0;
  for (size_t i = 0; i < k; ++i) hits += labels[order[i]] ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(k);
}

double FalsePositiveRate(std::span<const float> scores, std::span<const uint8_t> labels, float threshold) {
  assert(scores.size() == labels.size());
  size_t negatives = 0, fp = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (labels[i]) continue;
    ++negatives;
    fp += scores[i] >= threshold ? 1 : 0;
  }
  return negatives ? static_cast<double>(fp) / static_cast<double>(negatives) : kNaN;
}

double PrecisionAt(std::span<const float> scores, std::span<const uint8_t> labels, float threshold) {
  assert(scores.size() == labels.size());
  size_t predicted = 0, tp = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] < threshold) continue;
    ++predicted;
    tp += labels[i] ? 1 : 0;
  }
  return predicted ? static_cast<double>(tp) / static_cast<double>(predicted) : kNaN;
}

double ExpectedCalibrationError(std::span<const float> probabilities, std::span<const uint8_t> labels, int bins) {
  assert(probabilities.size() == labels.size() && bins > 0);
  if (probabilities.empty()) return kNaN;
  std::vector<double> sum_p(bins, 0.0), sum_y(bins, 0.0);
  std::vector<size_t> count(bins, 0);
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const double p = std::clamp(static_cast<double>(probabilities[i]), 0.0, 1.0);
    const int b = std::min(bins - 1, static_cast<int>(p * bins));  // p == 1 falls in the last bin
    sum_p[b] += p;
    sum_y[b] += labels[i] ? 1.0 : 0.0;
    ++count[b];
  }
  double ece = 0;
  for (int b = 0; b < bins; ++b) {
    if (count[b] == 0) continue;
    ece += std::abs(sum_p[b] - sum_y[b]) / static_cast<double>(probabilities.size());
  }
  return ece;
}

std::optional<float> ThresholdForPrecision(std::span<const float> scores, std::span<const uint8_t> labels,
                                           double target_precision) {
  assert(scores.size() == labels.size());
  std::optional<float> best;
  ForEachThreshold(scores, labels, [&](float threshold, size_t tp, size_t fp) {
    if (static_cast<double>(tp) / static_cast<double>(tp + fp) >= target_precision) best = threshold;
  });
  return best;
}

}  // namespace segue
