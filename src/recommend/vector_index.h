// VectorIndex: nearest-neighbour search over fixed-dimension float vectors, by inner product. The
// retrieval stage's one small abstraction (after FAISS's faiss/Index.h): song embeddings go in, the
// user tower's query vectors come out as the best-scoring labels. Implementations, each in its own
// file: ExactIndex (exact_index.h, brute force, the reference) and HnswIndex (hnsw_index.h, hnswlib).
//
// Conventions:
//  - Vectors are float32, row-major, `dim` floats per row; callers pass L2-normalised vectors, so the
//    inner product is the cosine similarity. Shapes are stated on every call as [rows × columns].
//  - Labels are the caller's uint64 ids (the retrieval bundle uses the row of a track in its track
//    list). Adding a label that is already present replaces its vector.
//  - Calls are batch-first: n queries in one call. Result rows shorter than k (an index with fewer than
//    k vectors) are padded with kNoLabel and -infinity.
// Errors: Status/Result, never exceptions (a dimension mismatch, a full index that cannot grow, a file
// that is not an index of this kind are clear errors naming the cause).
// Thread-safety: Search is safe concurrently with Search and with Add (new tracks are inserted while
// serving); Add is safe concurrently with Add. Save takes a consistent copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "common/status.h"

namespace segue::recommend {

inline constexpr uint64_t kNoLabel = std::numeric_limits<uint64_t>::max();

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;

  virtual int dim() const = 0;
  virtual size_t size() const = 0;  // labels held

  // Adds (or replaces) n vectors. x: [n × dim]; labels: [n].
  virtual Status Add(size_t n, const float* x, const uint64_t* labels) = 0;

  // For each of the n queries q: [n × dim], the k labels with the highest inner product, best first.
  // labels: [n × k] out; scores: [n × k] out (inner products).
  virtual Status Search(size_t n, const float* q, size_t k, uint64_t* labels, float* scores) const = 0;

  // Writes the index to `path` (write to a temporary file, fsync, rename: never a half-written file).
  virtual Status Save(const std::string& path) const = 0;
};

}  // namespace segue::recommend
