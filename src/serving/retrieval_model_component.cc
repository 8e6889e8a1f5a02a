#include "serving/retrieval_model_component.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "models/disengagement_bundle.h"
#include "models/retrieval_bundle.h"
#include "recommend/ranker_bundle.h"
#include "recommend/two_tower_retriever.h"
#include "recommend/xgboost_ranker.h"

namespace segue::serving {

Status RetrievalModelComponent::Start() {
  if (Status s = LoadRanker(); !s.ok()) return s;
  if (config_.retriever == "session_knn") {
    UseBaseline(baselines_->session_knn());
    return Status::Ok();
  }
  UseBaseline(baselines_->blend());
  if (config_.retriever == "two_tower") LoadNewestTwoTower();
  return Status::Ok();
}

Status RetrievalModelComponent::LoadRanker() {
  if (config_.EffectiveRanker() != "xgboost") return Status::Ok();
  Result<recommend::RankerModel> model = recommend::LoadRankerBundle(config_.ranker_dir);
  if (!model.ok()) return Status(model.status().code(), "recommend.ranker_dir: " + model.status().message());
  ranker_ = std::make_shared<recommend::XgboostRanker>(catalog_, std::move(model->booster));
  ranker_version_ = "xgboost/" + model->version;
  spdlog::info("ranker {} serving", ranker_version_);
  return Status::Ok();
}

void RetrievalModelComponent::SetModel(std::shared_ptr<const recommend::Retriever> retriever,
                                       std::string retriever_version) {
  serving_ = retriever_version;
  recommend::ModelSet model{std::move(retriever), ranker_, nullptr, {{"retriever", std::move(retriever_version)}}};
  if (ranker_) model.versions.emplace_back("ranker_model", ranker_version_);
  recommender_->SetModel(std::move(model));
}

void RetrievalModelComponent::Register(ServerHost& host) {
  if (config_.retriever != "two_tower") return;
  host.registry().AddCallbackCounter("segue_track_index_inserted_total",
                                     "Tracks posted while serving inserted into the two-tower index.",
                                     [this] { return static_cast<double>(indexer_.inserted()); });
  host.registry().AddCallbackCounter("segue_track_index_replaced_total",
                                     "Tracks updated while serving whose vector the two-tower index replaced.",
                                     [this] { return static_cast<double>(indexer_.replaced()); });
  host.registry().AddCallbackCounter("segue_track_index_unchanged_total",
                                     "Tracks updated while serving whose vector the two-tower index already held.",
                                     [this] { return static_cast<double>(indexer_.unchanged()); });
  host.registry().AddCallbackCounter("segue_retrieval_models_refused_total",
                                     "Retrieval bundle versions refused: not loaded, or their catalog catch-up failed.",
                                     [this] { return static_cast<double>(refused_.load()); });
  host.Every(std::chrono::seconds(config_.retrieval_models_check_interval_s), [this] { LoadNewestTwoTower(); });
}

void RetrievalModelComponent::UseBaseline(const recommend::Retriever& retriever) {
  SetModel(recommend::Unowned(retriever), std::string(retriever.name()));
}

void RetrievalModelComponent::LoadNewestTwoTower() {
  Result<std::string> newest = FindNewestBundle(config_.retrieval_models_dir);
  if (!newest.ok()) {
    if (loaded_version_.empty()) spdlog::error("no retrieval model: {}; serving the blend", newest.status().message());
    return;
  }
  const std::string version = std::filesystem::path(*newest).filename().string();
  if (version == loaded_version_ || version == refused_version_) return;
  Result<RetrievalModel> model = LoadRetrievalModel(*newest);
  if (!model.ok()) {
    spdlog::error("retrieval model {} not loaded: {}; still serving {}", *newest, model.status().message(),
                  loaded_version_.empty() ? "the blend" : loaded_version_);
    Refuse(version, model.status().message());
    return;
  }
  std::shared_ptr<recommend::TrackLabels> labels = recommend::TrackLabels::Intern(model->track_ids, catalog_);
  std::shared_ptr<const recommend::Retriever> retriever =
      recommend::TwoTowerRetriever::FromModel(*model, labels, catalog_);
  Result<size_t> added = indexer_.Adopt({model->song, model->index, labels},
                                        [&] { SetModel(std::move(retriever), "two_tower/" + version); });
  if (!added.ok()) {
    spdlog::error("retrieval model {} not served: inserting the catalog's new tracks failed: {}", *newest,
                  added.status().message());
    Refuse(version, "inserting the catalog's new tracks failed: " + added.status().message());
    return;
  }
  loaded_version_ = version;
  spdlog::info("retrieval model {} serving ({} tracks from the bundle, {} embedded from the catalog)", version,
               model->track_ids.size(), *added);
}

ModelCheck RetrievalModelComponent::CheckModels() {
  if (config_.retriever != "two_tower") return {serving_, false, ""};
  const std::string before = loaded_version_;
  LoadNewestTwoTower();
  Result<std::string> newest = FindNewestBundle(config_.retrieval_models_dir);
  const bool newest_refused = newest.ok() && std::filesystem::path(*newest).filename() == refused_version_;
  return {serving_, loaded_version_ != before, newest_refused ? refused_version_ + ": " + refused_reason_ : ""};
}

void RetrievalModelComponent::Refuse(const std::string& version, std::string reason) {
  refused_version_ = version;
  refused_reason_ = std::move(reason);
  refused_.fetch_add(1);
}

void RetrievalModelComponent::LogIndexError(const Status& error) {
  spdlog::error("new tracks not inserted into the two-tower index: {}", error.message());
}

}  // namespace segue::serving
