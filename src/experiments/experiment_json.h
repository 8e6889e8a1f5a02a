// ExperimentSpec as JSON (docs/api.md, "Experiments"): {"id","description","enabled","horizon_ms",
// "arms":[{"name","kind","weight","threshold"?,"retriever"?}]}. The same object is what
// `PUT /v1/experiments/{id}` takes (its "id" may be omitted, else it must equal the path's), what
// `GET /v1/experiments` lists and what the experiments file stores (experiment_store.h).
// Reentrant.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "experiments/experiment_spec.h"

namespace segue::experiments {

nlohmann::json ExperimentToJson(const ExperimentSpec& spec);

// Parses and validates (ValidateExperiment). Absent optional fields take their defaults (description "",
// enabled true, horizon_ms 10 min, weight 1); unknown keys and wrong types are errors naming the field.
Result<ExperimentSpec> ExperimentFromJson(const nlohmann::json& json, std::string_view id);
Result<ExperimentSpec> ParseExperiment(std::string_view body, std::string_view id);

}  // namespace segue::experiments
