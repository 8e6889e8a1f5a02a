// Writes simulator output as NDJSON files: events (an EventSink) and the catalog.
//
// Contract: a file is written to "<path>.tmp" and renamed over `path` only by a successful Close(), so
// a crash or an error never leaves a truncated file that looks complete. "-" writes to stdout instead.
// Every write error (disk full, ...) is reported with the path. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "common/status.h"
#include "sim/simulator.h"
#include "sim/synthetic_catalog.h"

namespace segue::sim {

class NdjsonFile {
 public:
  static Result<std::unique_ptr<NdjsonFile>> Open(const std::string& path);
  ~NdjsonFile();  // an unclosed file is removed
  NdjsonFile(const NdjsonFile&) = delete;
  NdjsonFile& operator=(const NdjsonFile&) = delete;

  // `lines` holds whole lines, each ending in '\n'.
  Status Append(const std::string& lines);
  Status Close();
  uint64_t bytes() const { return bytes_; }

 private:
  NdjsonFile(std::string path, std::FILE* f) : path_(std::move(path)), f_(f) {}
  std::string path_;
  std::FILE* f_;
  uint64_t bytes_ = 0;
};

// An EventSink that appends each event as one JSON line (events/event_json.h).
class NdjsonEventSink : public EventSink {
 public:
  explicit NdjsonEventSink(NdjsonFile* file) : file_(file) {}
  Status Write(std::span<const Event> events) override;

 private:
  NdjsonFile* file_;
  std::string buffer_;
};

// Writes every catalog track as one JSON line (catalog/track_json.h) and closes the file.
Status WriteCatalogNdjson(const SyntheticCatalog& catalog, const std::string& path);

}  // namespace segue::sim
