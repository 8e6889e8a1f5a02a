// ExperimentStore: the experiments defined through `PUT /v1/experiments/{id}`, kept durably in
// `<data_dir>/experiments/experiments.json` ({"experiments":[<experiment JSON>...]}, experiment_json.h),
// rewritten whole (common/durable_file.h) on every Put, so a PUT that was answered survives kill -9.
//
// Precedence (MergeExperiments): an experiment stored here replaces the config file's experiment with the
// same id: a PUT is the operator's later decision, and the config file only seeds experiments. To go back
// to the file's definition, PUT it again. Experiments only in the file or only here are all kept.
// Thread-safety: every method is safe to call concurrently (one mutex; Put holds it across the write).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "experiments/experiment_spec.h"

namespace segue::experiments {

// The folder under the server's data directory that holds experiments.json and stats.json.
inline constexpr char kExperimentsSubdir[] = "experiments";

class ExperimentStore {
 public:
  // Creates `dir` if needed and reads experiments.json (absent: none stored). A damaged file or an
  // invalid experiment in it is an error naming the file: the server refuses to start rather than run
  // experiments other than the operator's.
  static Result<ExperimentStore> Open(const std::string& dir);
  ExperimentStore(ExperimentStore&& other) noexcept;

  // Adds or replaces spec (valid: ValidateExperiment) and writes the file before returning.
  Status Put(const ExperimentSpec& spec);
  std::vector<ExperimentSpec> stored() const;

 private:
  ExperimentStore(std::string path, std::vector<ExperimentSpec> stored)
      : path_(std::move(path)), stored_(std::move(stored)) {}

  std::string path_;
  mutable std::mutex mu_;
  std::vector<ExperimentSpec> stored_;  // sorted by id
};

// The configured experiments, each replaced by the stored one of the same id, then the stored-only ones
// in id order.
std::vector<ExperimentSpec> MergeExperiments(const std::vector<ExperimentSpec>& configured,
                                             const std::vector<ExperimentSpec>& stored);

}  // namespace segue::experiments
