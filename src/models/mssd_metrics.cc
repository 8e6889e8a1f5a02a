#include "models/mssd_metrics.h"

#include <cassert>
#include <limits>

namespace segue {

double AverageAccuracy(const SkipSequence& s) {
  assert(s.predicted.size() == s.actual.size());
  const size_t t = s.predicted.size();
  if (t == 0) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  size_t correct = 0;
  for (size_t i = 0; i < t; ++i) {
    if (s.predicted[i] != s.actual[i]) continue;
    ++correct;
    sum += static_cast<double>(correct) / static_cast<double>(i + 1);
  }
  return sum / static_cast<double>(t);
}

double MeanAverageAccuracy(std::span<const SkipSequence> sessions) {
  double sum = 0;
  size_t counted = 0;
  for (const SkipSequence& s : sessions) {
    if (s.predicted.empty()) continue;
    sum += AverageAccuracy(s);
    ++counted;
  }
  return counted ? sum / static_cast<double>(counted) : std::numeric_limits<double>::quiet_NaN();
}

double FirstPredictionAccuracy(std::span<const SkipSequence> sessions) {
  size_t correct = 0, counted = 0;
  for (const SkipSequence& s : sessions) {
    if (s.predicted.empty()) continue;
    ++counted;
    correct += s.predicted[0] == s.actual[0] ? 1 : 0;
  }
  return counted ? static_cast<double>(correct) / static_cast<double>(counted)
                 : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace segue
