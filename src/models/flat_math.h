// Flat float math and weight loading shared by the plain-C++ inference engines (incremental_encoder.h,
// two_tower_encoder.h): no LibTorch, one copy of each kernel so every engine rounds the same way.
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"
#include "models/transformer_weights.h"

namespace segue {

// y[o] += sum_i wt[i * out + o] * x[i]: the transposed layout keeps the inner loop an axpy, which the
// compiler vectorises without reassociating float sums.
inline void MatVecAdd(const float* wt, const float* x, int in, int out, float* y) {
  for (int i = 0; i < in; ++i) {
    const float xi = x[i];
    const float* row = wt + static_cast<size_t>(i) * out;
    for (int o = 0; o < out; ++o) y[o] += row[o] * xi;
  }
}

// x /= max(||x||, 1e-12): LibTorch's F::normalize, so a zero vector stays zero.
inline void L2Normalise(float* x, int n) {
  float sq = 0;
  for (int i = 0; i < n; ++i) sq += x[i] * x[i];
  const float inv = 1.0f / std::max(std::sqrt(sq), 1e-12f);
  for (int i = 0; i < n; ++i) x[i] *= inv;
}

// Appends the tensor `name` (which must have exactly `shape`) to `out`; `transpose` stores a [rows, cols]
// matrix column-major (MatVecAdd's layout). Errors name the tensor.
inline Status AppendTensor(const TransformerWeights& weights, const std::string& name,
                           const std::vector<int64_t>& shape, bool transpose, std::vector<float>* out) {
  Result<const NamedTensor*> t = weights.Expect(name, shape);
  if (!t.ok()) return t.status();
  const std::vector<float>& src = (*t)->data;
  if (!transpose) {
    out->insert(out->end(), src.begin(), src.end());
    return Status::Ok();
  }
  const size_t rows = static_cast<size_t>(shape[0]), cols = static_cast<size_t>(shape[1]);
  for (size_t c = 0; c < cols; ++c) {
    for (size_t r = 0; r < rows; ++r) out->push_back(src[r * cols + c]);
  }
  return Status::Ok();
}

}  // namespace segue
