#include "sim/ndjson_writer.h"

#include <cerrno>
#include <cstring>

#include "catalog/track_json.h"
#include "events/event_json.h"

namespace segue::sim {
namespace {
bool IsStdout(const std::string& path) { return path == "-"; }
std::string TmpPath(const std::string& path) { return path + ".tmp"; }
}  // namespace

Result<std::unique_ptr<NdjsonFile>> NdjsonFile::Open(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("output path is empty");
  if (IsStdout(path)) return std::unique_ptr<NdjsonFile>(new NdjsonFile(path, stdout));
  std::FILE* f = std::fopen(TmpPath(path).c_str(), "wb");
  if (!f) return Status::IoError("cannot create " + TmpPath(path) + ": " + std::strerror(errno));
  return std::unique_ptr<NdjsonFile>(new NdjsonFile(path, f));
}

NdjsonFile::~NdjsonFile() {
  if (f_ && !IsStdout(path_)) {
    std::fclose(f_);
    std::remove(TmpPath(path_).c_str());
  }
}

Status NdjsonFile::Append(const std::string& lines) {
  if (!f_) return Status::Internal(path_ + ": append after close");
  if (std::fwrite(lines.data(), 1, lines.size(), f_) != lines.size()) {
    return Status::IoError("writing " + (IsStdout(path_) ? std::string("stdout") : TmpPath(path_)) + ": " +
                           std::strerror(errno));
  }
  bytes_ += lines.size();
  return Status::Ok();
}

Status NdjsonFile::Close() {
  if (!f_) return Status::Ok();
  std::FILE* f = f_;
  f_ = nullptr;
  if (IsStdout(path_)) {
    return std::fflush(f) == 0 ? Status::Ok() : Status::IoError(std::string("flushing stdout: ") + std::strerror(errno));
  }
  const std::string tmp = TmpPath(path_);
  if (std::fflush(f) != 0 || std::ferror(f)) {
    std::fclose(f);
    std::remove(tmp.c_str());
    return Status::IoError("writing " + tmp + ": " + std::strerror(errno));
  }
  if (std::fclose(f) != 0) {
    std::remove(tmp.c_str());
    return Status::IoError("closing " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IoError("renaming " + tmp + " to " + path_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status NdjsonEventSink::Write(std::span<const Event> events) {
  buffer_.clear();
  for (const Event& e : events) {
    AppendEventJson(e, &buffer_);
    buffer_ += '\n';
  }
  return file_->Append(buffer_);
}

Status WriteCatalogNdjson(const SyntheticCatalog& catalog, const std::string& path) {
  Result<std::unique_ptr<NdjsonFile>> file = NdjsonFile::Open(path);
  if (!file.ok()) return file.status();
  std::string buffer;
  for (uint32_t i = 0; i < catalog.size(); ++i) {
    AppendTrackJson(catalog.ToTrack(i), &buffer);
    buffer += '\n';
    if (buffer.size() > (1 << 20) || i + 1 == catalog.size()) {
      Status s = (*file)->Append(buffer);
      if (!s.ok()) return s;
      buffer.clear();
    }
  }
  return (*file)->Close();
}

}  // namespace segue::sim
