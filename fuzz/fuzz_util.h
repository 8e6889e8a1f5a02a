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

// The importers and the config loader read files by path, so their harnesses write each input to one
// file in a per-process directory (created on first use; the pid keeps parallel fuzzer jobs apart) and
// overwrite it on every run.
inline std::string WriteInputFile(std::string_view name, std::string_view bytes) {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() / ("segue-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  std::filesystem::path path = dir / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  SEGUE_FUZZ_CHECK(out.good());
  return path.string();
}

}  // namespace segue::fuzz
