// Helpers shared by the fuzz harnesses (one `<name>_fuzzer.cc` per parser; see fuzz/CMakeLists.txt and
// docs/testing.md). Header-only so each harness stays a single translation unit plus this file.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace segue::fuzz {

// A harness invariant. __builtin_trap rather than assert: it fires in every build type (the replay tests
// run in the Release build) and libFuzzer reports it as a crash with the input saved.
#define SEGUE_FUZZ_CHECK(cond) \
  do {                         \
    if (!(cond)) __builtin_trap(); \
  } while (0)

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A directory of this process's own under TMPDIR (the pid keeps parallel fuzzer jobs apart), created on
// first use and removed when the process exits normally (libFuzzer's end of run, the replay driver).
inline const std::filesystem::path& ScratchDir() {
  struct Dir {
    Dir() : path(std::filesystem::temp_directory_path() / ("segue-fuzz-" + std::to_string(::getpid()))) {
      std::filesystem::remove_all(path);
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
    std::filesystem::path path;
  };
  static const Dir dir;
  return dir.path;
}

// The importers and the config loader read files by path, so their harnesses write each input to a file
// in ScratchDir(), overwritten on every run.
inline std::string WriteInputFile(std::string_view name, std::string_view bytes) {
  std::filesystem::path path = ScratchDir() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  SEGUE_FUZZ_CHECK(out.good());
  return path.string();
}

}  // namespace segue::fuzz
