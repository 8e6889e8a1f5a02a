// The command-line options `segue train disengagement` and `segue eval disengagement` share: the events
// file, the optional track catalog and the label definition (horizon, skip burst, session timeout).
// Registered in one place so both commands keep the same names, defaults and help (the command line is
// a contract), and turned into the same DatasetOptions, so a model is evaluated on the labels it was
// trained for when the flags match.
// Thread-safety: registration happens while the CLI is built; the rest are plain functions.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "catalog/catalog.h"
#include "common/status.h"
#include "models/dataset.h"

namespace segue::cli {

struct DatasetFlags {
  std::string events;
  std::string catalog;
  double horizon_min = 30;
  int burst_skips = 3;
  int burst_window = 5;
  double session_timeout_min = 30;
};

// --events (required; `events_help` says what the command does with it) and --catalog.
void AddEventsFlags(CLI::App* app, DatasetFlags* flags, const std::string& events_help);
// --horizon-min, --burst-skips, --burst-window, --session-timeout-min.
void AddDatasetFlags(CLI::App* app, DatasetFlags* flags);

// The labels and dataset options the flags describe (progress line on), validated:
// kInvalidArgument naming the bad flag value.
Result<DatasetOptions> ToDatasetOptions(const DatasetFlags& flags);

// Loads --catalog into `catalog` when it was given (the track count goes to stderr); without it every
// track is unknown, which the features handle.
Status LoadCatalogFlag(const DatasetFlags& flags, Catalog* catalog);

// ReadEventFile with a progress line, reporting on stderr how many malformed lines were skipped.
Result<EventFile> ReadEventsReportingRejects(const std::string& path);
// Every file's events, in file order (ReadEventsReportingRejects each).
Result<std::vector<Event>> ReadEventFiles(const std::vector<std::string>& paths);
// Every catalog file into `catalog` (LoadCatalogFile each; track counts on stderr).
Status LoadCatalogFiles(const std::vector<std::string>& paths, Catalog* catalog);

}  // namespace segue::cli
