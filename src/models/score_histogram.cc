#include "models/score_histogram.h"

#include <cmath>
#include <numeric>

namespace segue {

double PopulationStabilityIndex(std::span<const uint64_t> reference, std::span<const uint64_t> live,
                                double epsilon) {
  const double ref_total = static_cast<double>(std::accumulate(reference.begin(), reference.end(), uint64_t{0}));
  const double live_total = static_cast<double>(std::accumulate(live.begin(), live.end(), uint64_t{0}));
  if (reference.size() != live.size() || ref_total == 0 || live_total == 0) return NAN;
  double psi = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    const double e = std::max(static_cast<double>(reference[i]) / ref_total, epsilon);
    const double a = std::max(static_cast<double>(live[i]) / live_total, epsilon);
    psi += (a - e) * std::log(a / e);
  }
  return psi;
}

}  // namespace segue
