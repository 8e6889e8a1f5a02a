#include "replay/ndjson_batches.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace segue {

namespace {

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

Result<NdjsonBatches> NdjsonBatches::Open(const std::string& path, size_t batch_lines) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IoError("cannot stat " + path + ": " + std::strerror(err));
  }
  NdjsonBatches out;
  if (st.st_size > 0) {
    void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return Status::IoError("cannot map " + path + ": " + std::strerror(err));
    }
    ::madvise(map, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
    out.map_ = map;
    out.map_size_ = static_cast<size_t>(st.st_size);
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  out.Cut(std::string_view(static_cast<const char*>(out.map_), out.map_size_), batch_lines);
  return out;
}

NdjsonBatches NdjsonBatches::FromText(std::string_view text, size_t batch_lines) {
  NdjsonBatches out;
  out.Cut(text, batch_lines);
  return out;
}

void NdjsonBatches::Cut(std::string_view text, size_t batch_lines) {
  if (batch_lines == 0) batch_lines = 1;
  size_t pos = 0, batch_start = 0, in_batch = 0;
  while (pos < text.size()) {
    const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
    const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1 : text.size();
    const std::string_view line = text.substr(pos, end - pos);
    if (IsBlank(line.substr(0, line.size() - (line.back() == '\n' ? 1 : 0)))) {
      if (in_batch == 0) batch_start = end;  // leading blank lines belong to no batch
    } else {
      ++in_batch;
      ++total_lines_;
      if (in_batch == batch_lines) {
        batches_.push_back({text.substr(batch_start, end - batch_start), in_batch});
        batch_start = end;
        in_batch = 0;
      }
    }
    pos = end;
  }
  if (in_batch > 0) batches_.push_back({text.substr(batch_start), in_batch});
}

void NdjsonBatches::Unmap() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

NdjsonBatches::NdjsonBatches(NdjsonBatches&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)),
      map_size_(std::exchange(other.map_size_, 0)),
      batches_(std::move(other.batches_)),
      total_lines_(std::exchange(other.total_lines_, 0)) {}

NdjsonBatches& NdjsonBatches::operator=(NdjsonBatches&& other) noexcept {
  if (this != &other) {
    Unmap();
    map_ = std::exchange(other.map_, nullptr);
    map_size_ = std::exchange(other.map_size_, 0);
    batches_ = std::move(other.batches_);
    total_lines_ = std::exchange(other.total_lines_, 0);
  }
  return *this;
}

NdjsonBatches::~NdjsonBatches() { Unmap(); }

}  // namespace segue
