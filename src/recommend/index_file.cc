#include "recommend/index_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "common/durable_file.h"

namespace segue::recommend {

namespace {

constexpr char kMagic[8] = {'S', 'E', 'G', 'U', 'E', 'A', 'N', 'N'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 40;
using HeaderBytes = std::array<unsigned char, kHeaderBytes>;

Status Errno(const std::string& what, const std::string& path) {
  const int err = errno;
  std::string message = what + " " + path + ": " + std::strerror(err);
  return err == ENOSPC ? Status::NoSpace(std::move(message)) : Status::IoError(std::move(message));
}

uint32_t Crc(uint32_t crc, const void* data, size_t bytes) {
  return static_cast<uint32_t>(crc32_z(crc, static_cast<const Bytef*>(data), bytes));
}

template <typename T>
void Put(HeaderBytes* h, size_t offset, T value) {
  std::memcpy(h->data() + offset, &value, sizeof(T));
}

template <typename T>
T Get(const HeaderBytes& h, size_t offset) {
  T value;
  std::memcpy(&value, h.data() + offset, sizeof(T));
  return value;
}

HeaderBytes EncodeHeader(const IndexFileInfo& info, uint32_t crc, uint64_t payload_bytes) {
  HeaderBytes h{};
  std::memcpy(h.data(), kMagic, sizeof(kMagic));
  Put(&h, 8, kVersion);
  Put(&h, 12, static_cast<uint32_t>(info.kind));
  Put(&h, 16, info.dim);
  Put(&h, 20, crc);
  Put(&h, 24, info.count);
  Put(&h, 32, payload_bytes);
  return h;
}

}  // namespace

Result<IndexFileWriter> IndexFileWriter::Create(const std::string& path) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Errno("cannot create", tmp);
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  IndexFileWriter writer(path, f);
  // Room for the header, which Commit() fills in once the payload's size and checksum are known.
  const HeaderBytes placeholder{};
  if (std::fwrite(placeholder.data(), 1, placeholder.size(), f) != placeholder.size()) return Errno("cannot write", tmp);
  return writer;
}

IndexFileWriter::IndexFileWriter(IndexFileWriter&& other) noexcept
    : path_(std::move(other.path_)),
      file_(std::exchange(other.file_, nullptr)),
      crc_(other.crc_),
      bytes_(other.bytes_) {}

IndexFileWriter::~IndexFileWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(tmp_path().c_str());
  }
}

Status IndexFileWriter::Write(const void* data, size_t bytes) {
  if (std::fwrite(data, 1, bytes, file_) != bytes) return Errno("cannot write", tmp_path());
  crc_ = Crc(crc_, data, bytes);
  bytes_ += bytes;
  return Status::Ok();
}

Status IndexFileWriter::Commit(const IndexFileInfo& info) {
  const std::string tmp = tmp_path();
  const HeaderBytes header = EncodeHeader(info, crc_, bytes_);
  if (std::fseek(file_, 0, SEEK_SET) != 0 || std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
    return Errno("cannot write the header of", tmp);
  }
  if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) return Errno("cannot flush", tmp);
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) {
    std::remove(tmp.c_str());
    return Errno("cannot close", tmp);
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    Status s = Errno("cannot rename to " + path_ + ":", tmp);
    std::remove(tmp.c_str());
    return s;
  }
  return SyncFolderOf(path_);
}

Result<IndexFileReader> IndexFileReader::Open(const std::string& path, IndexKind kind, int dim) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return errno == ENOENT ? Status::NotFound(path + ": no such index file") : Errno("cannot open", path);
  }
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  IndexFileReader reader(path, f);
  struct stat st {};
  if (::fstat(fileno(f), &st) != 0) return Errno("cannot stat", path);
  HeaderBytes h{};
  if (static_cast<uint64_t>(st.st_size) < kHeaderBytes || std::fread(h.data(), 1, h.size(), f) != h.size()) {
    return reader.Corrupt("shorter than the index header (" + std::to_string(st.st_size) + " bytes)");
  }
  if (std::memcmp(h.data(), kMagic, sizeof(kMagic)) != 0) return reader.Corrupt("not a Segue vector index (bad magic)");
  if (const uint32_t v = Get<uint32_t>(h, 8); v != kVersion) {
    return reader.Corrupt("unsupported format version " + std::to_string(v));
  }
  if (const uint32_t k = Get<uint32_t>(h, 12); k != static_cast<uint32_t>(kind)) {
    return reader.Corrupt("holds an index of kind " + std::to_string(k) + ", expected " +
                          std::to_string(static_cast<uint32_t>(kind)));
  }
  reader.info_ = {kind, Get<uint32_t>(h, 16), Get<uint64_t>(h, 24)};
  if (dim <= 0 || reader.info_.dim != static_cast<uint32_t>(dim)) {
    return reader.Corrupt("has dimension " + std::to_string(reader.info_.dim) + ", expected " + std::to_string(dim));
  }
  reader.expected_crc_ = Get<uint32_t>(h, 20);
  reader.payload_bytes_ = Get<uint64_t>(h, 32);
  if (reader.payload_bytes_ != static_cast<uint64_t>(st.st_size) - kHeaderBytes) {
    return reader.Corrupt("is " + std::to_string(st.st_size) + " bytes, its header promises " +
                          std::to_string(reader.payload_bytes_ + kHeaderBytes) + " (truncated?)");
  }
  return reader;
}

IndexFileReader::IndexFileReader(IndexFileReader&& other) noexcept
    : path_(std::move(other.path_)),
      file_(std::exchange(other.file_, nullptr)),
      info_(other.info_),
      expected_crc_(other.expected_crc_),
      crc_(other.crc_),
      payload_bytes_(other.payload_bytes_),
      read_(other.read_) {}

IndexFileReader::~IndexFileReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Status IndexFileReader::Read(void* out, size_t bytes) {
  if (bytes > remaining()) return Corrupt("payload ends early");
  if (std::fread(out, 1, bytes, file_) != bytes) {
    return std::ferror(file_) ? Errno("cannot read", path_) : Corrupt("payload ends early");
  }
  crc_ = Crc(crc_, out, bytes);
  read_ += bytes;
  return Status::Ok();
}

Status IndexFileReader::Finish() const {
  if (remaining() != 0) return Corrupt(std::to_string(remaining()) + " unexpected bytes after the payload");
  if (crc_ != expected_crc_) return Corrupt("checksum mismatch (the payload is damaged)");
  return Status::Ok();
}

Status IndexFileReader::Corrupt(const std::string& why) const {
  return Status::Corruption(path_ + ": " + why);
}

}  // namespace segue::recommend
