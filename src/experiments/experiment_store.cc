#include "experiments/experiment_store.h"

#include <algorithm>
#include <filesystem>

#include "common/durable_file.h"
#include "experiments/experiment_json.h"
#include "models/bundle_files.h"

namespace segue::experiments {
namespace {

namespace fs = std::filesystem;

Result<std::vector<ExperimentSpec>> ReadStored(const std::string& path) {
  std::vector<ExperimentSpec> specs;
  std::error_code ec;
  if (!fs::exists(path, ec)) return specs;
  Result<nlohmann::json> j = ReadJsonObject(path);
  if (!j.ok()) return j.status();
  auto list = j->find("experiments");
  if (list == j->end() || !list->is_array()) return Status::Corruption(path + ": \"experiments\" must be an array");
  for (const nlohmann::json& e : *list) {
    auto id = e.find("id");
    if (!e.is_object() || id == e.end() || !id->is_string()) {
      return Status::Corruption(path + ": an experiment without an \"id\"");
    }
    Result<ExperimentSpec> spec = ExperimentFromJson(e, id->get<std::string>());
    if (!spec.ok()) return Status::Corruption(path + ": experiment \"" + id->get<std::string>() + "\": " + spec.status().message());
    specs.push_back(std::move(*spec));
  }
  std::sort(specs.begin(), specs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return specs;
}

}  // namespace

Result<ExperimentStore> ExperimentStore::Open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
  const std::string path = (fs::path(dir) / "experiments.json").string();
  Result<std::vector<ExperimentSpec>> stored = ReadStored(path);
  if (!stored.ok()) return stored.status();
  return ExperimentStore(path, std::move(*stored));
}

ExperimentStore::ExperimentStore(ExperimentStore&& other) noexcept
    : path_(std::move(other.path_)), stored_(std::move(other.stored_)) {}

Status ExperimentStore::Put(const ExperimentSpec& spec) {
  std::lock_guard lock(mu_);
  std::vector<ExperimentSpec> next = stored_;
  auto it = std::lower_bound(next.begin(), next.end(), spec.id, [](const auto& e, const std::string& id) { return e.id < id; });
  if (it != next.end() && it->id == spec.id) {
    *it = spec;
  } else {
    next.insert(it, spec);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const ExperimentSpec& e : next) list.push_back(ExperimentToJson(e));
  const nlohmann::json file = {{"experiments", std::move(list)}};
  if (Status s = WriteFileDurably(path_, file.dump(2)); !s.ok()) return s;
  stored_ = std::move(next);
  return Status::Ok();
}

std::vector<ExperimentSpec> ExperimentStore::stored() const {
  std::lock_guard lock(mu_);
  return stored_;
}

std::vector<ExperimentSpec> MergeExperiments(const std::vector<ExperimentSpec>& configured,
                                             const std::vector<ExperimentSpec>& stored) {
  std::vector<ExperimentSpec> merged;
  for (const ExperimentSpec& c : configured) {
    auto s = std::find_if(stored.begin(), stored.end(), [&](const auto& e) { return e.id == c.id; });
    merged.push_back(s != stored.end() ? *s : c);
  }
  for (const ExperimentSpec& s : stored) {
    auto c = std::find_if(configured.begin(), configured.end(), [&](const auto& e) { return e.id == s.id; });
    if (c == configured.end()) merged.push_back(s);
  }
  return merged;
}

}  // namespace segue::experiments
