#include "serving/scoring_component.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "models/disengagement_bundle.h"

namespace segue::serving {

ScoringComponent::ScoringComponent(const ScoringConfig& config, metrics::Registry& registry) : config_(config) {
  if (config_.models_dir.empty()) return;
  ScorerOptions options = config_.scorer;
  options.registry = &registry;
  Result<std::unique_ptr<DisengagementScorer>> loaded = DisengagementScorer::Load(config_.models_dir, options);
  if (!loaded.ok()) {
    spdlog::error("disengagement model not loaded: {}; serving without disengagement scoring",
                  loaded.status().message());
    return;
  }
  scorer_ = std::move(*loaded);
  spdlog::info("disengagement model {} loaded from {} (threshold {:.3f})", scorer_->model_version(),
               config_.models_dir, scorer_->threshold());
}

void ScoringComponent::Register(ServerHost& host) {
  if (scorer_) host.Every(std::chrono::seconds(config_.models_check_interval_s), [this] { CheckModels(); });
}

ModelCheck ScoringComponent::CheckModels() {
  if (!scorer_) return {"", false, "no disengagement model was loaded at start-up; restart to load one"};
  Result<std::string> newest = FindNewestBundle(config_.models_dir);
  if (!newest.ok() || std::filesystem::path(*newest).filename() == scorer_->model_version()) {
    return {scorer_->model_version(), false, ""};
  }
  if (Status s = scorer_->Reload(); !s.ok()) {
    spdlog::error("disengagement model {} not swapped in: {}; still serving {}", *newest, s.message(),
                  scorer_->model_version());
    return {scorer_->model_version(), false, std::filesystem::path(*newest).filename().string() + ": " + s.message()};
  }
  spdlog::info("disengagement model {} swapped in", scorer_->model_version());
  return {scorer_->model_version(), true, ""};
}

}  // namespace segue::serving
