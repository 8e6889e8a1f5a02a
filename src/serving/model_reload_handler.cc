#include "serving/model_reload_handler.h"

namespace segue::serving {
namespace {

nlohmann::json ToJson(const ModelCheck& c) {
  return {{"serving", c.serving.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.serving)},
          {"swapped", c.swapped},
          {"refused", c.refused.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.refused)}};
}

}  // namespace

nlohmann::json ModelReloadHandler::CheckAll() {
  return {{"disengagement", ToJson(scoring_->CheckModels())}, {"retrieval", ToJson(retrieval_->CheckModels())}};
}

void ModelReloadHandler::Register(ServerHost& host) {
  host.AddAdminRoute(HttpMethod::kPost, "/v1/admin/models/reload",
                     [this, host = &host](HttpRequest, PathParams, ResponseCallback done) {
                       host->RunOnMaintenance(
                           [this, done = std::move(done)] { done(JsonResponse(200, CheckAll().dump())); });
                     });
}

}  // namespace segue::serving
