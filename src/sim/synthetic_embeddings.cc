#include "sim/synthetic_embeddings.h"

#include <cmath>

#include "sim/sim_random.h"

namespace segue::sim {

namespace {

void Normalise(float* v, int dim) {
  double norm = 0;
  for (int i = 0; i < dim; ++i) norm += static_cast<double>(v[i]) * v[i];
  const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
  for (int i = 0; i < dim; ++i) v[i] *= scale;
}

}  // namespace

std::vector<float> ClusteredEmbeddings(size_t n, const EmbeddingOptions& o) {
  const size_t dim = static_cast<size_t>(o.dim);
  std::vector<float> centres(o.clusters * dim);
  SimRandom centre_rng(DeriveSeed(o.seed, 0));
  for (float& c : centres) c = static_cast<float>(centre_rng.Normal());
  for (size_t c = 0; c < o.clusters; ++c) Normalise(centres.data() + c * dim, o.dim);

  std::vector<float> out(n * dim);
  const double sigma = o.spread / std::sqrt(static_cast<double>(dim));
  SimRandom rng(DeriveSeed(o.seed, 1));
  for (size_t row = 0; row < n; ++row) {
    const float* centre = centres.data() + rng.Below(o.clusters) * dim;
    float* v = out.data() + row * dim;
    for (size_t i = 0; i < dim; ++i) v[i] = centre[i] + static_cast<float>(sigma * rng.Normal());
    Normalise(v, o.dim);
  }
  return out;
}

}  // namespace segue::sim
