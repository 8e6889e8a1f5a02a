#include "cli/dataset_flags.h"

#include <cstdint>
#include <iostream>

namespace segue::cli {

void AddEventsFlags(CLI::App* app, DatasetFlags* flags, const std::string& events_help) {
  app->add_option("--events", flags->events, events_help)->required()->check(CLI::ExistingFile);
  app->add_option("--catalog", flags->catalog, "Track catalog NDJSON (without it every track is unknown)")
      ->check(CLI::ExistingFile);
}

void AddDatasetFlags(CLI::App* app, DatasetFlags* flags) {
  app->add_option("--horizon-min", flags->horizon_min, "Label horizon H in minutes")->capture_default_str();
  app->add_option("--burst-skips", flags->burst_skips, "Skip burst: at least S skips ...")->capture_default_str();
  app->add_option("--burst-window", flags->burst_window, "... within the next W plays")->capture_default_str();
  app->add_option("--session-timeout-min", flags->session_timeout_min, "Inactivity that ends a session")
      ->capture_default_str();
}

Result<DatasetOptions> ToDatasetOptions(const DatasetFlags& flags) {
  DatasetOptions options;
  options.labels.horizon_ms = static_cast<int64_t>(flags.horizon_min * 60'000);
  options.labels.burst_skips = flags.burst_skips;
  options.labels.burst_window = flags.burst_window;
  options.labels.session_timeout_ms = static_cast<int64_t>(flags.session_timeout_min * 60'000);
  options.progress = true;
  if (Status s = ValidateDatasetOptions(options); !s.ok()) return s;
  return options;
}

Status LoadCatalogFlag(const DatasetFlags& flags, Catalog* catalog) {
  if (flags.catalog.empty()) return Status::Ok();
  Result<size_t> tracks = LoadCatalogFile(flags.catalog, catalog);
  if (!tracks.ok()) return tracks.status();
  std::cerr << "catalog: " << *tracks << " tracks\n";
  return Status::Ok();
}

Result<EventFile> ReadEventsReportingRejects(const std::string& path) {
  std::cerr << "reading " << path << "\n";
  Result<EventFile> file = ReadEventFile(path, /*progress=*/true);
  if (file.ok() && file->rejected > 0) {
    std::cerr << path << ": skipped " << file->rejected << " malformed lines of " << file->lines
              << " (first: " << file->first_error << ")\n";
  }
  return file;
}

Result<std::vector<Event>> ReadEventFiles(const std::vector<std::string>& paths) {
  std::vector<Event> events;
  for (const std::string& path : paths) {
    Result<EventFile> file = ReadEventsReportingRejects(path);
    if (!file.ok()) return file.status();
    events.insert(events.end(), std::make_move_iterator(file->events.begin()), std::make_move_iterator(file->events.end()));
  }
  return events;
}

Status LoadCatalogFiles(const std::vector<std::string>& paths, Catalog* catalog) {
  for (const std::string& path : paths) {
    Result<size_t> n = LoadCatalogFile(path, catalog);
    if (!n.ok()) return n.status();
    std::cerr << "catalog " << path << ": " << *n << " tracks\n";
  }
  return Status::Ok();
}

}  // namespace segue::cli
