#include "replay/ndjson_batches.h"

#include <unordered_set>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/hash.h"

namespace segue {

namespace {

// The line starting at `pos`: its end (past the "\n", or the end of the text) and whether it is blank.
struct Line {
  size_t end;
  bool blank;
};

Line LineAt(std::string_view text, size_t pos) {
  const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
  const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1 : text.size();
  for (size_t i = pos; i < end; ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return {end, false};
  }
  return {end, true};
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

std::string_view FindStringField(std::string_view line, std::string_view key) {
  for (size_t at = line.find(key); at != std::string_view::npos; at = line.find(key, at + 1)) {
    size_t i = at + key.size();
    if (at == 0 || line[at - 1] != '"' || i == line.size() || line[i] != '"') continue;  // part of a longer name
    ++i;
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size() || line[i] != ':') continue;  // the text as a value, not the key
    ++i;
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size() || line[i] != '"') return {};  // not a string: the server rejects it anyway
    const size_t start = ++i;
    while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
    if (i >= line.size()) return {};
    return line.substr(start, i - start);
  }
  return {};
}

std::string_view FindUserId(std::string_view line) { return FindStringField(line, "user_id"); }

Result<NdjsonBatches> NdjsonBatches::Open(const std::string& path, size_t batch_lines, size_t lanes) {
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
    out.map_ = map;
    out.map_size_ = static_cast<size_t>(st.st_size);
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  out.Assign(std::string_view(static_cast<const char*>(out.map_), out.map_size_), batch_lines, lanes);
  return out;
}

NdjsonBatches NdjsonBatches::FromText(std::string_view text, size_t batch_lines, size_t lanes) {
  NdjsonBatches out;
  out.Assign(text, batch_lines, lanes);
  return out;
}

void NdjsonBatches::Assign(std::string_view text, size_t batch_lines, size_t lanes) {
  text_ = text;
  batch_lines_ = std::max<size_t>(batch_lines, 1);
  lanes_ = std::clamp<size_t>(lanes, 1, kMaxLanes);
  lane_lines_.assign(lanes_, 0);
  for (size_t pos = 0; pos < text.size();) {
    const Line line = LineAt(text, pos);
    if (!line.blank) {
      const std::string_view user = FindUserId(text.substr(pos, line.end - pos));
      if (user.empty()) ++lines_without_user_id_;
      const size_t lane = user.empty() ? 0 : Fnv1a64(user) % lanes_;
      lane_of_.push_back(static_cast<uint16_t>(lane));
      ++lane_lines_[lane];
    }
    pos = line.end;
  }
}

std::vector<std::string> NdjsonBatches::UserIds(size_t max) const {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;
  for (size_t pos = 0; pos < text_.size() && out.size() < max;) {
    const Line line = LineAt(text_, pos);
    const std::string_view user = line.blank ? std::string_view() : FindUserId(text_.substr(pos, line.end - pos));
    if (!user.empty() && seen.insert(user).second) out.emplace_back(user);
    pos = line.end;
  }
  return out;
}

size_t NdjsonBatches::NextBatch(size_t lane, Cursor* cursor, std::string* body, size_t* first_line) const {
  body->clear();
  size_t n = 0;
  while (n < batch_lines_ && cursor->pos < text_.size()) {
    const Line line = LineAt(text_, cursor->pos);
    if (!line.blank) {
      if (lane_of_[cursor->line] == lane) {
        if (n++ == 0) *first_line = cursor->line;
        body->append(text_.substr(cursor->pos, line.end - cursor->pos));
        if (body->back() != '\n') body->push_back('\n');
      }
      ++cursor->line;
    }
    cursor->pos = line.end;
  }
  return n;
}

void NdjsonBatches::Unmap() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

NdjsonBatches::NdjsonBatches(NdjsonBatches&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)),
      map_size_(std::exchange(other.map_size_, 0)),
      text_(std::exchange(other.text_, {})),
      batch_lines_(other.batch_lines_),
      lanes_(other.lanes_),
      lane_of_(std::move(other.lane_of_)),
      lane_lines_(std::move(other.lane_lines_)),
      lines_without_user_id_(std::exchange(other.lines_without_user_id_, 0)) {}

NdjsonBatches& NdjsonBatches::operator=(NdjsonBatches&& other) noexcept {
  if (this != &other) {
    Unmap();
    map_ = std::exchange(other.map_, nullptr);
    map_size_ = std::exchange(other.map_size_, 0);
    text_ = std::exchange(other.text_, {});
    batch_lines_ = other.batch_lines_;
    lanes_ = other.lanes_;
    lane_of_ = std::move(other.lane_of_);
    lane_lines_ = std::move(other.lane_lines_);
    lines_without_user_id_ = std::exchange(other.lines_without_user_id_, 0);
  }
  return *this;
}

NdjsonBatches::~NdjsonBatches() { Unmap(); }

}  // namespace segue
