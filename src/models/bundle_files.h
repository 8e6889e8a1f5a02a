// File plumbing shared by the model bundles (disengagement_bundle.h, retrieval_bundle.h): whole-file
// reads and writes, JSON objects with errors naming the file and field, and the staged write (a temporary
// sibling folder renamed into place) that keeps a reader from ever seeing a half-written bundle.
// Thread-safety: free functions; concurrent stagings of the same folder are not supported.
#pragma once

#include <cmath>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace segue {

Result<std::string> ReadWholeFile(const std::filesystem::path& path);
Status WriteWholeFile(const std::filesystem::path& path, const std::string& bytes);
// A file holding one JSON object; kCorruption naming the file otherwise.
Result<nlohmann::json> ReadJsonObject(const std::filesystem::path& path);

// Reads j[key] as T, or kCorruption naming the file and the key.
template <typename T>
Status JsonField(const nlohmann::json& j, const char* key, const std::string& file, T* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Corruption(file + ": field '" + key + "' is missing");
  try {
    *out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return Status::Corruption(file + ": field '" + key + "' has the wrong type");
  }
  return Status::Ok();
}

// NaN is not JSON; metrics that are undefined are written as null.
inline nlohmann::json FiniteOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// An existing bundle folder opened for loading: its parsed config.json and its version (the folder name).
struct OpenedBundle {
  std::filesystem::path root;
  std::string config_file;  // root / "config.json", for error messages
  nlohmann::json config;
  std::string version;
};
// kNotFound when `dir` is not a folder or has no config.json; kCorruption when config.json is not an object.
Result<OpenedBundle> OpenBundle(const std::string& dir);

// A bundle being written: files go into `tmp`, PublishBundle renames it to `final_path`.
struct StagedBundle {
  std::filesystem::path tmp, final_path;
};
// Refuses an existing non-empty `dir` (bundles are immutable: kAlreadyExists), creates the parents and a
// fresh temporary sibling folder.
Result<StagedBundle> StageBundle(const std::string& dir);
// When `written` is ok, moves the staged folder into place; otherwise (or when the move fails) removes
// it. Returns the first error.
Status PublishBundle(const StagedBundle& staged, Status written);

}  // namespace segue
