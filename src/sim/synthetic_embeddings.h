// Synthetic song embeddings for the vector indexes' tests and benchmarks (bench/ann_scale.cc): unit
// vectors gathered around cluster centres, the shape a trained song tower gives a catalog (tracks of a
// genre or an artist close together) and harder for an approximate index than one shared centre, easier
// than uniform noise.
//
// Distribution: `clusters` centres drawn uniformly on the unit sphere (normalised standard normals);
// each vector picks a centre uniformly at random, adds independent N(0, spread² / dim) noise to every
// coordinate (a noise vector of norm ≈ spread) and is L2-normalised, so its cosine to its centre is
// about 1 / sqrt(1 + spread²).
// Contract: deterministic for (n, options); row i does not depend on n, so the first n rows of a larger
// call equal a smaller call's (queries can be taken past the end of the indexed rows).
// A pure function: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace segue::sim {

struct EmbeddingOptions {
  int dim = 64;
  size_t clusters = 1000;
  double spread = 0.6;
  uint64_t seed = 1;
};

// [n × dim] floats, row-major, every row L2-normalised.
std::vector<float> ClusteredEmbeddings(size_t n, const EmbeddingOptions& options);

}  // namespace segue::sim
