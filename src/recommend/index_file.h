// IndexFile: the on-disk envelope of a saved VectorIndex (ExactIndex, HnswIndex). A fixed 40-byte
// header, then the kind's payload:
//
//   offset  0  char[8]  magic "SEGUEANN"
//           8  uint32   format version (1)
//          12  uint32   kind (1 = exact, 2 = hnsw)
//          16  uint32   dim
//          20  uint32   CRC-32 (zlib) of the payload
//          24  uint64   count (vectors held)
//          32  uint64   payload bytes (the file is exactly 40 + this long)
//
// Integers are little-endian (the host order of every machine Segue runs on). The header lets a loader
// reject a truncated, foreign, damaged or wrong-dimension file with a clear kCorruption before it
// allocates anything, and the checksum catches damage inside the payload that a structural check could
// miss (a flipped bit in a vector).
//
// IndexFileWriter writes "<path>.tmp", patches the header on Commit(), fsyncs it, renames it over
// `path` and fsyncs the folder: a reader sees the old file or the complete new one, never a mix. A
// writer destroyed without Commit() removes the temporary file.
// IndexFileReader streams the payload, checking each read against the header's payload size; Finish()
// checks that all of it was read and that the checksum matches. Callers must not publish what they
// read before Finish() succeeded.
// Neither class is thread-safe; each is used by one Save or Load call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/status.h"

namespace segue::recommend {

enum class IndexKind : uint32_t { kExact = 1, kHnsw = 2 };

struct IndexFileInfo {
  IndexKind kind = IndexKind::kExact;
  uint32_t dim = 0;
  uint64_t count = 0;
};

class IndexFileWriter {
 public:
  static Result<IndexFileWriter> Create(const std::string& path);
  IndexFileWriter(IndexFileWriter&& other) noexcept;
  IndexFileWriter& operator=(IndexFileWriter&&) = delete;
  IndexFileWriter(const IndexFileWriter&) = delete;
  ~IndexFileWriter();

  // Appends payload bytes.
  Status Write(const void* data, size_t bytes);
  Status Commit(const IndexFileInfo& info);

 private:
  IndexFileWriter(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string tmp_path() const { return path_ + ".tmp"; }

  std::string path_;
  std::FILE* file_ = nullptr;
  uint32_t crc_ = 0;
  uint64_t bytes_ = 0;
};

class IndexFileReader {
 public:
  // Opens `path` and validates the header: magic, version, `kind`, `dim` and the file's size.
  static Result<IndexFileReader> Open(const std::string& path, IndexKind kind, int dim);
  IndexFileReader(IndexFileReader&& other) noexcept;
  IndexFileReader& operator=(IndexFileReader&&) = delete;
  IndexFileReader(const IndexFileReader&) = delete;
  ~IndexFileReader();

  const IndexFileInfo& info() const { return info_; }
  uint64_t payload_bytes() const { return payload_bytes_; }
  uint64_t remaining() const { return payload_bytes_ - read_; }

  // Reads the next `bytes` of the payload; kCorruption if the payload is shorter.
  Status Read(void* out, size_t bytes);
  // kCorruption unless the whole payload was read and its checksum matches the header's.
  Status Finish() const;

  // A kCorruption status naming the file, for the kind's own structural checks.
  Status Corrupt(const std::string& why) const;

 private:
  IndexFileReader(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}

  std::string path_;
  std::FILE* file_ = nullptr;
  IndexFileInfo info_;
  uint32_t expected_crc_ = 0;
  uint32_t crc_ = 0;
  uint64_t payload_bytes_ = 0;
  uint64_t read_ = 0;
};

}  // namespace segue::recommend
