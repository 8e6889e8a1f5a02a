// Helpers shared by the log tests: a scratch directory that removes itself, and event builders.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "events/event.h"

namespace segue::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "segue-log-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// prefix + n, built by appending (GCC 12 at -O3 warns falsely about "literal" + std::string).
inline std::string Id(std::string_view prefix, int64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

inline Event MakeEvent(std::string event_id, std::string user_id, int64_t ts_ms,
                       EventType type = EventType::kPlay) {
  Event e;
  e.event_id = std::move(event_id);
  e.user_id = std::move(user_id);
  e.type = type;
  e.ts_ms = ts_ms;
  e.track_id = "t-";
  e.track_id += e.event_id;
  e.position_ms = 0;
  return e;
}

}  // namespace segue::testing
