// The server's side of A/B experiments (experiments/experiment_set.h): the experiments file under
// `<data_dir>/experiments`, the routes, and the statistics snapshot.
//
//   GET /v1/experiments              {"experiments":[<experiment>...]} (experiment_json.h)
//   GET /v1/experiments/{id}         <experiment>, 404 when unknown
//   GET /v1/experiments/{id}/report  the arms side by side (experiment_report.h), 404 when unknown
//   PUT /v1/experiments/{id}         admin route (serving/admin_auth.h): <experiment> without or with the
//                                    same id; stored durably before the answer (200 with the stored
//                                    experiment; 400 naming the field; 503 when it cannot be written),
//                                    then running. A stored experiment wins over the config file's one
//                                    of the same id (experiment_store.h).
// Statistics are loaded at Open (`stats.json`; a damaged file is logged and the statistics start
// empty) and saved by SaveStatistics, which the application calls after each sessions snapshot and at
// shutdown; the application also feeds the restore's replayed log tail to the set.
// Thread-safety: routes run concurrently on the HTTP threads; SaveStatistics on the maintenance thread
// or at shutdown. PUTs are serialised (one mutex) so the stored file and the running set agree.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "experiments/experiment_set.h"
#include "experiments/experiment_store.h"
#include "serving/server_host.h"

namespace segue::serving {

class ExperimentsComponent : public ServerComponent {
 public:
  // Opens the store under `data_dir`, runs the configured experiments merged with the stored ones in
  // `set` and restores their statistics. `set` outlives the component.
  static Result<std::unique_ptr<ExperimentsComponent>> Open(const std::vector<experiments::ExperimentSpec>& configured,
                                                           const std::string& data_dir, experiments::ExperimentSet* set);

  void Register(ServerHost& host) override;
  void SaveStatistics();

 private:
  ExperimentsComponent(std::vector<experiments::ExperimentSpec> configured, experiments::ExperimentStore store,
                       std::string stats_path, experiments::ExperimentSet* set)
      : configured_(std::move(configured)), store_(std::move(store)), stats_path_(std::move(stats_path)), set_(set) {}

  void List(ResponseCallback done) const;
  void Get(const std::string& id, ResponseCallback done) const;
  void Report(const std::string& id, ResponseCallback done) const;
  void Put(const HttpRequest& request, const std::string& id, ResponseCallback done);

  const std::vector<experiments::ExperimentSpec> configured_;
  experiments::ExperimentStore store_;
  const std::string stats_path_;
  experiments::ExperimentSet* set_;
  std::mutex put_mu_;
};

}  // namespace segue::serving
