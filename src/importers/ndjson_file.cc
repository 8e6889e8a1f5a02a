#include "importers/ndjson_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace segue {

namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<NdjsonFile> NdjsonFile::Create(const std::string& path) {
  const std::string partial = path + ".partial";
  std::FILE* f = std::fopen(partial.c_str(), "wb");
  if (f == nullptr) return Errno("cannot create", partial);
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  return NdjsonFile(path, f);
}

NdjsonFile::NdjsonFile(NdjsonFile&& other) noexcept
    : path_(std::move(other.path_)), file_(std::exchange(other.file_, nullptr)) {}

NdjsonFile::~NdjsonFile() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(partial_path().c_str());
  }
}

Status NdjsonFile::WriteLine(std::string_view json) {
  if (std::fwrite(json.data(), 1, json.size(), file_) != json.size() || std::fputc('\n', file_) == EOF) {
    return Errno("cannot write", partial_path());
  }
  return Status::Ok();
}

Status NdjsonFile::Commit() {
  const std::string partial = partial_path();
  if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) return Errno("cannot flush", partial);
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return Errno("cannot close", partial);
  if (std::rename(partial.c_str(), path_.c_str()) != 0) return Errno("cannot rename to " + path_ + ":", partial);
  return Status::Ok();
}

}  // namespace segue
