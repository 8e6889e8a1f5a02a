// One simulation run from config to NDJSON files, with its summary: what `segue simulate` and
// `segue demo` both do.
// Thread-compatible: independent calls may run concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "sim/simulator.h"

namespace segue::sim {

struct SimSummary {
  uint32_t users = 0;
  uint32_t days = 0;
  uint64_t seed = 0;
  uint32_t tracks = 0;
  SimStats stats;
  uint64_t sessions = 0;
  uint64_t event_bytes = 0;
  double seconds = 0;  // wall time of the run

  uint64_t plays() const { return stats.count(EventType::kPlay); }
  double skip_rate() const { return plays() ? double(stats.count(EventType::kSkip)) / double(plays()) : 0; }
};

// Runs `config` to the end, writing events to `events_path` and, when `catalog_path` is not empty, the
// catalog to it (either may be "-" for stdout). `progress` (may be empty) is called about every 64k
// events with the fraction of simulated time done.
Result<SimSummary> SimulateToFiles(const SimConfig& config, const std::string& events_path,
                                   const std::string& catalog_path, const std::function<void(double, const SimStats&)>& progress);
// The same for a simulator the caller keeps, run only until `until_ms` (kNever: to the end), so that its
// listeners can go on live afterwards (`segue demo`); the summary's figures are those of this part.
Result<SimSummary> SimulateToFiles(Simulator& sim, int64_t until_ms, const std::string& events_path,
                                   const std::string& catalog_path, const std::function<void(double, const SimStats&)>& progress);

// The summary as one JSON object: users, days, seed, tracks, events, events_by_type, sessions, plays,
// skip_rate, first_ts, last_ts, seconds, events_per_second.
std::string SimSummaryJson(const SimSummary& summary);

}  // namespace segue::sim
