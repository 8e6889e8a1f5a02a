#include "models/bundle_files.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace segue {

namespace fs = std::filesystem;

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError(path.string() + ": read failed");
  return ss.str();
}

Status WriteWholeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) return Status::IoError(path.string() + ": write failed");
  return Status::Ok();
}

Result<nlohmann::json> ReadJsonObject(const fs::path& path) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(path.string() + ": not valid JSON");
  if (!j.is_object()) return Status::Corruption(path.string() + ": must be a JSON object");
  return j;
}

Result<OpenedBundle> OpenBundle(const std::string& dir) {
  OpenedBundle b;
  b.root = fs::path(dir);
  std::error_code ec;
  if (!fs::is_directory(b.root, ec)) return Status::NotFound(dir + ": no such bundle folder");
  b.config_file = (b.root / "config.json").string();
  Result<nlohmann::json> config = ReadJsonObject(b.root / "config.json");
  if (!config.ok()) return config.status();
  b.config = std::move(*config);
  b.version = b.root.lexically_normal().filename().string();
  if (b.version.empty()) b.version = b.root.lexically_normal().parent_path().filename().string();
  return b;
}

Result<StagedBundle> StageBundle(const std::string& dir) {
  const fs::path target = fs::path(dir).lexically_normal();
  StagedBundle staged;
  staged.final_path = target.filename().empty() ? target.parent_path() : target;
  std::error_code ec;
  if (fs::exists(staged.final_path, ec)) {
    if (!fs::is_directory(staged.final_path, ec) || !fs::is_empty(staged.final_path, ec)) {
      return Status::AlreadyExists(staged.final_path.string() +
                                   ": already exists; bundles are immutable, pick a new version");
    }
    fs::remove(staged.final_path, ec);
  }
  if (staged.final_path.has_parent_path()) fs::create_directories(staged.final_path.parent_path(), ec);
  staged.tmp = staged.final_path.string() + ".tmp-" + std::to_string(::getpid());
  fs::remove_all(staged.tmp, ec);
  if (!fs::create_directory(staged.tmp, ec)) {
    return Status::IoError(staged.tmp.string() + ": cannot create: " + ec.message());
  }
  return staged;
}

Status PublishBundle(const StagedBundle& staged, Status written) {
  std::error_code ec;
  if (written.ok()) {
    fs::rename(staged.tmp, staged.final_path, ec);
    if (ec) written = Status::IoError(staged.final_path.string() + ": cannot move the bundle into place: " + ec.message());
  }
  if (!written.ok()) fs::remove_all(staged.tmp, ec);
  return written;
}

}  // namespace segue
