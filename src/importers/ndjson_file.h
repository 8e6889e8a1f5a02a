// NdjsonFile: writes an import's output so that a crash or an error never leaves a truncated file under
// the final name. Lines go to "<path>.partial" through a 1 MiB buffer; Commit() flushes, fsyncs and
// renames it to <path>. A writer destroyed without Commit() removes the partial file.
// Not thread-safe.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "common/status.h"

namespace segue {

class NdjsonFile {
 public:
  static Result<NdjsonFile> Create(const std::string& path);
  NdjsonFile(NdjsonFile&& other) noexcept;
  NdjsonFile& operator=(NdjsonFile&&) = delete;
  NdjsonFile(const NdjsonFile&) = delete;
  ~NdjsonFile();

  // Appends `json` and a newline.
  Status WriteLine(std::string_view json);
  Status Commit();

 private:
  NdjsonFile(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string partial_path() const { return path_ + ".partial"; }

  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace segue
