// Helpers shared by the vector-index tests: clustered unit vectors (sim/synthetic_embeddings.h), labels
// 0..n-1 and the plain inner product a search's scores are checked against.
#pragma once

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include "sim/synthetic_embeddings.h"

namespace segue::recommend::testing {

inline constexpr int kDim = 64;

inline std::vector<float> Vectors(size_t n, uint64_t seed = 7, size_t clusters = 100) {
  return sim::ClusteredEmbeddings(n, {.dim = kDim, .clusters = clusters, .spread = 0.6, .seed = seed});
}

inline std::vector<uint64_t> Labels(size_t n, uint64_t first = 0) {
  std::vector<uint64_t> labels(n);
  std::iota(labels.begin(), labels.end(), first);
  return labels;
}

inline float Dot(const float* a, const float* b) {
  float s = 0;
  for (int i = 0; i < kDim; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace segue::recommend::testing
