// An NDJSON file split into C ordered sub-streams ("lanes") by listener, read as request bodies of up to B
// lines, without parsing the events: the file is memory-mapped, each line is assigned to lane
// Fnv1a64(user_id) % C once (a byte scan for the first `"user_id": "..."` key, no JSON parsing), and a lane
// is read in file order. So all events of one listener travel in one lane, in file order: sending each lane
// over its own connection with one request in flight preserves every listener's order end to end.
//
// Contract: blank lines (only spaces, tabs, "\r") are skipped and belong to no lane. A line whose user_id
// cannot be found (no such key, or its value is not a string) goes to lane 0 and is counted in
// lines_without_user_id(). Lines are copied into the body exactly as they are on disk (a missing final
// "\n" is added), so the server sees the bytes an importer or the simulator wrote. Memory: the mapping plus
// 2 bytes per line; reading a lane scans the file with memchr, skipping other lanes' lines.
// The mapping lives as long as the object.
// Thread-safety: immutable after Open(); NextBatch() on distinct cursors is safe from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace segue {

// The value of the first `key` key (e.g. "event_id") of a JSON object's text, as raw bytes (escapes are not
// decoded), or empty when there is none or its value is not a string. A byte scan, no JSON parsing.
std::string_view FindStringField(std::string_view line, std::string_view key);
// FindStringField(line, "user_id"): the same listener written the same way hashes the same.
std::string_view FindUserId(std::string_view line);

class NdjsonBatches {
 public:
  static constexpr size_t kMaxLanes = 65535;

  static Result<NdjsonBatches> Open(const std::string& path, size_t batch_lines, size_t lanes);
  // For in-memory input (tests, in-process demo): `text` must outlive this.
  static NdjsonBatches FromText(std::string_view text, size_t batch_lines, size_t lanes);

  NdjsonBatches(NdjsonBatches&& other) noexcept;
  NdjsonBatches& operator=(NdjsonBatches&& other) noexcept;
  NdjsonBatches(const NdjsonBatches&) = delete;
  NdjsonBatches& operator=(const NdjsonBatches&) = delete;
  ~NdjsonBatches();

  // Where a reader of one lane is in the file.
  struct Cursor {
    size_t pos = 0;   // byte offset of the next line to look at
    size_t line = 0;  // file index (among non-blank lines) of that line
  };
  // Replaces *body with the next up to B lines of `lane` after *cursor and advances it. Returns the number
  // of lines (0: the lane is exhausted) and sets *first_line to the file index of the first one.
  size_t NextBatch(size_t lane, Cursor* cursor, std::string* body, size_t* first_line) const;

  // The first `max` distinct user ids of the file, in order of first appearance (raw bytes, as FindUserId).
  std::vector<std::string> UserIds(size_t max) const;

  size_t lanes() const { return lanes_; }
  size_t total_lines() const { return lane_of_.size(); }
  size_t lane_lines(size_t lane) const { return lane_lines_[lane]; }
  size_t lines_without_user_id() const { return lines_without_user_id_; }

 private:
  NdjsonBatches() = default;
  void Assign(std::string_view text, size_t batch_lines, size_t lanes);
  void Unmap();

  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::string_view text_;
  size_t batch_lines_ = 1;
  size_t lanes_ = 1;
  std::vector<uint16_t> lane_of_;  // per non-blank line, in file order
  std::vector<size_t> lane_lines_;
  size_t lines_without_user_id_ = 0;
};

}  // namespace segue
