#include "sim/simulate_to_files.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "sim/ndjson_writer.h"

namespace segue::sim {

Result<SimSummary> SimulateToFiles(const SimConfig& config, const std::string& events_path,
                                   const std::string& catalog_path,
                                   const std::function<void(double, const SimStats&)>& progress) {
  Simulator sim(config);
  return SimulateToFiles(sim, kNever, events_path, catalog_path, progress);
}

Result<SimSummary> SimulateToFiles(Simulator& sim, int64_t until_ms, const std::string& events_path,
                                   const std::string& catalog_path,
                                   const std::function<void(double, const SimStats&)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const SimConfig& config = sim.config();
  if (!catalog_path.empty()) {
    Status s = WriteCatalogNdjson(sim.catalog(), catalog_path);
    if (!s.ok()) return s;
  }
  Result<std::unique_ptr<NdjsonFile>> file = NdjsonFile::Open(events_path);
  if (!file.ok()) return file.status();
  NdjsonEventSink sink(file->get());
  if (progress) {
    const double span = static_cast<double>(std::min(sim.end_ms(), until_ms) - config.start_ms);
    sim.set_progress([&](const SimStats& stats) {
      progress(std::min(1.0, static_cast<double>(stats.last_ts_ms - config.start_ms) / span), stats);
    });
  }
  Status s = sim.RunUntil(until_ms, sink);
  sim.set_progress(nullptr);  // it refers to this frame's `progress`
  if (!s.ok()) return s;
  s = (*file)->Close();
  if (!s.ok()) return s;

  SimSummary summary;
  summary.users = config.users;
  summary.days = config.days;
  summary.seed = config.seed;
  summary.tracks = static_cast<uint32_t>(sim.catalog().size());
  summary.stats = sim.stats();
  summary.sessions = sim.sessions();
  summary.event_bytes = (*file)->bytes();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

std::string SimSummaryJson(const SimSummary& s) {
  nlohmann::json by_type = nlohmann::json::object();
  for (int t = 0; t < kEventTypeCount; ++t) by_type[std::string(EventTypeName(static_cast<EventType>(t)))] = s.stats.by_type[t];
  nlohmann::json j = {
      {"users", s.users},
      {"days", s.days},
      {"seed", s.seed},
      {"tracks", s.tracks},
      {"events", s.stats.events},
      {"events_by_type", by_type},
      {"sessions", s.sessions},
      {"plays", s.plays()},
      {"skip_rate", s.skip_rate()},
      {"first_ts", s.stats.events ? FormatRfc3339Ms(s.stats.first_ts_ms) : ""},
      {"last_ts", s.stats.events ? FormatRfc3339Ms(s.stats.last_ts_ms) : ""},
      {"seconds", s.seconds},
      {"events_per_second", s.seconds > 0 ? static_cast<double>(s.stats.events) / s.seconds : 0.0},
  };
  return j.dump();
}

}  // namespace segue::sim
