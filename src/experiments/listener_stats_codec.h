// ListenerStats in the statistics snapshot (experiment_set.h): one JSON array of its fields in a fixed
// order (version 1), compact because a snapshot holds up to max_listeners of them. `replaying` is not
// stored (it describes the running process). Reentrant.
#pragma once

#include <nlohmann/json.hpp>

#include "experiments/listener_stats.h"

namespace segue::experiments {

nlohmann::json ListenerStatsToJson(const ListenerStats& s);
// False when `j` is not an array of the right length and types.
bool ListenerStatsFromJson(const nlohmann::json& j, ListenerStats* s);

}  // namespace segue::experiments
