// An NDJSON file cut into request bodies of B lines each, without copying or parsing the events: the file
// is memory-mapped and every batch is a contiguous slice of it (lines are sent exactly as they are on disk,
// so the server sees the same bytes an importer or the simulator wrote).
//
// Contract: blank lines (only spaces, tabs, "\r") are skipped when counting lines; a batch holds at most
// B non-blank lines, starts at its first one and may contain blank lines between them (the server skips
// those too). The last line need not end with "\n". The mapping lives as long as the object; slices point into it.
// Thread-safety: immutable after Open(); safe to read from many threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace segue {

class NdjsonBatches {
 public:
  static Result<NdjsonBatches> Open(const std::string& path, size_t batch_lines);
  // For in-memory input (tests, in-process demo): the batches point into `text`, which must outlive this.
  static NdjsonBatches FromText(std::string_view text, size_t batch_lines);

  NdjsonBatches(NdjsonBatches&& other) noexcept;
  NdjsonBatches& operator=(NdjsonBatches&& other) noexcept;
  NdjsonBatches(const NdjsonBatches&) = delete;
  NdjsonBatches& operator=(const NdjsonBatches&) = delete;
  ~NdjsonBatches();

  size_t batch_count() const { return batches_.size(); }
  std::string_view body(size_t i) const { return batches_[i].body; }
  size_t lines(size_t i) const { return batches_[i].lines; }
  size_t total_lines() const { return total_lines_; }

 private:
  struct Batch {
    std::string_view body;
    size_t lines;
  };
  NdjsonBatches() = default;
  void Cut(std::string_view text, size_t batch_lines);
  void Unmap();

  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::vector<Batch> batches_;
  size_t total_lines_ = 0;
};

}  // namespace segue
