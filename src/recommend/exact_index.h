// ExactIndex: brute-force VectorIndex, the reference every approximate index is measured against
// (recall@k in tests and bench/ann_scale.cc) and the right choice for small catalogs.
//
// Storage is flat: one contiguous [size × dim] float matrix, the labels in a parallel [size] array and
// a label → row map so that adding an existing label overwrites its row in place. Search scans the
// matrix in blocks of rows that stay in cache while every query of the call is scored against them,
// and keeps a k-element min-heap per query. Ties are broken by the lower row (insertion order).
// File format: the IndexFile envelope (index_file.h, kind 1) around [size] uint64 labels followed by
// the [size × dim] float matrix.
// Thread-safety: a shared_mutex; Search and Save take it shared, Add exclusive.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "recommend/vector_index.h"

namespace segue::recommend {

class ExactIndex final : public VectorIndex {
 public:
  // A non-positive dim makes an index that rejects every Add.
  explicit ExactIndex(int dim);

  // kNotFound if `path` does not exist; kCorruption for a file that is not an exact index of `dim`.
  static Result<std::unique_ptr<ExactIndex>> Load(const std::string& path, int dim);

  int dim() const override { return dim_; }
  size_t size() const override;
  Status Add(size_t n, const float* x, const uint64_t* labels) override;
  Status Search(size_t n, const float* q, size_t k, uint64_t* labels, float* scores) const override;
  Status Save(const std::string& path) const override;

 private:
  void AddLocked(const float* v, uint64_t label);
  struct TopK;
  // Scores rows [begin, end) against every query of the call (q: [tops->size() × dim]).
  void ScanRows(size_t begin, size_t end, const float* q, std::vector<TopK>* tops) const;

  const int dim_;
  mutable std::shared_mutex mu_;
  std::vector<float> vectors_;  // [size × dim]
  std::vector<uint64_t> labels_;  // [size]
  std::unordered_map<uint64_t, size_t> row_of_;
};

}  // namespace segue::recommend
