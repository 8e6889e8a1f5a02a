#include "serving/experiments_component.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/time_util.h"
#include "experiments/experiment_json.h"

namespace segue::serving {

namespace ex = segue::experiments;

Result<std::unique_ptr<ExperimentsComponent>> ExperimentsComponent::Open(const std::vector<ex::ExperimentSpec>& configured,
                                                                         const std::string& data_dir,
                                                                         ex::ExperimentSet* set) {
  const std::filesystem::path dir = std::filesystem::path(data_dir) / ex::kExperimentsSubdir;
  Result<ex::ExperimentStore> store = ex::ExperimentStore::Open(dir.string());
  if (!store.ok()) return store.status();
  for (const ex::ExperimentSpec& s : store->stored()) {
    for (const ex::ExperimentSpec& c : configured) {
      if (c.id == s.id && !(c == s)) {
        spdlog::warn("experiment {}: the stored definition (PUT) replaces the config file's", s.id);
      }
    }
  }
  set->SetExperiments(ex::MergeExperiments(configured, store->stored()));
  const std::string stats_path = (dir / "stats.json").string();
  if (Status s = set->Load(stats_path); !s.ok()) {
    spdlog::error("experiment statistics not restored, starting empty: {}", s.message());
  }
  return std::unique_ptr<ExperimentsComponent>(new ExperimentsComponent(configured, std::move(*store), stats_path, set));
}

void ExperimentsComponent::Register(ServerHost& host) {
  host.AddRoute(
      HttpMethod::kGet, "/v1/experiments", [this](HttpRequest, PathParams, ResponseCallback d) { List(std::move(d)); },
      RouteReadiness::kAlways);
  host.AddRoute(
      HttpMethod::kGet, "/v1/experiments/{id}",
      [this](HttpRequest, PathParams p, ResponseCallback d) { Get(p.at(0), std::move(d)); }, RouteReadiness::kAlways);
  host.AddRoute(
      HttpMethod::kGet, "/v1/experiments/{id}/report",
      [this](HttpRequest, PathParams p, ResponseCallback d) { Report(p.at(0), std::move(d)); },
      RouteReadiness::kAlways);
  host.AddAdminRoute(HttpMethod::kPut, "/v1/experiments/{id}", [this](HttpRequest r, PathParams p, ResponseCallback d) {
    Put(r, p.at(0), std::move(d));
  });
}

void ExperimentsComponent::SaveStatistics() {
  if (Status s = set_->Save(stats_path_); !s.ok()) spdlog::error("experiment statistics not saved: {}", s.message());
}

void ExperimentsComponent::List(ResponseCallback done) const {
  nlohmann::json list = nlohmann::json::array();
  for (const ex::ExperimentSpec& spec : set_->experiments()) list.push_back(ex::ExperimentToJson(spec));
  done(JsonResponse(200, nlohmann::json{{"experiments", std::move(list)}}.dump()));
}

void ExperimentsComponent::Get(const std::string& id, ResponseCallback done) const {
  std::optional<ex::ExperimentSpec> spec = set_->Find(id);
  if (!spec) return done(JsonError(404, "no experiment \"" + id + "\""));
  done(JsonResponse(200, ex::ExperimentToJson(*spec).dump()));
}

void ExperimentsComponent::Report(const std::string& id, ResponseCallback done) const {
  std::optional<ex::ExperimentReport> report = set_->Report(id);
  if (!report) return done(JsonError(404, "no experiment \"" + id + "\""));
  done(JsonResponse(200, ex::ReportToJson(*report, NowMs())));
}

void ExperimentsComponent::Put(const HttpRequest& request, const std::string& id, ResponseCallback done) {
  if (Status s = ex::ValidateExperimentId(id); !s.ok()) return done(JsonError(400, s.message()));
  Result<ex::ExperimentSpec> spec = ex::ParseExperiment(request.body, id);
  if (!spec.ok()) return done(JsonError(400, spec.status().message()));
  std::lock_guard lock(put_mu_);
  if (Status s = store_.Put(*spec); !s.ok()) return done(JsonError(503, s.message()));
  set_->SetExperiments(ex::MergeExperiments(configured_, store_.stored()));
  done(JsonResponse(200, ex::ExperimentToJson(*spec).dump()));
}

}  // namespace segue::serving
