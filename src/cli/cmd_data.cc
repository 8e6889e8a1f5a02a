// `segue data stats`: what the disengagement label depends on in an events file (session lengths, gaps,
// skips, searches, exits, positive rate per horizon), by the label's own rules (models/history_stats.h),
// so a real import and a simulated stream give comparable figures.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/dataset_flags.h"
#include "models/history_stats.h"

namespace segue::cli {
namespace {

struct DataStatsOptions {
  std::vector<std::string> files;
  std::vector<double> horizons_min = {30, 10, 5};
  int burst_skips = 3;
  int burst_window = 5;
  double session_timeout_min = 30;
  bool json = false;
};

int RunDataStats(const DataStatsOptions& o) {
  LabelConfig config;
  config.burst_skips = o.burst_skips;
  config.burst_window = o.burst_window;
  config.session_timeout_ms = static_cast<int64_t>(o.session_timeout_min * 60'000);
  std::vector<int64_t> horizons_ms;
  for (double h : o.horizons_min) {
    config.horizon_ms = static_cast<int64_t>(h * 60'000);
    if (Status s = ValidateLabelConfig(config); !s.ok()) {
      std::cerr << "segue data stats: " << s.ToString() << "\n";
      return 2;
    }
    horizons_ms.push_back(config.horizon_ms);
  }
  Result<std::vector<Event>> events = ReadEventFiles(o.files);
  if (!events.ok()) {
    std::cerr << "segue data stats: " << events.status().ToString() << "\n";
    return 1;
  }
  const HistoryStats stats = HistoryStatsOfEvents(std::move(*events), config, horizons_ms);
  std::fputs(o.json ? (HistoryStatsJson(stats) + "\n").c_str() : HistoryStatsText(stats).c_str(), stdout);
  return 0;
}

}  // namespace

void AddDataCommand(CLI::App& root, CommandList& out) {
  CLI::App* data = root.add_subcommand("data", "Describe event files");
  data->require_subcommand(1);
  auto o = std::make_shared<DataStatsOptions>();
  CLI::App* app = data->add_subcommand(
      "stats",
      "What the disengagement label depends on, by the label's own session and play rules: sessions\n"
      "(events, plays, minutes from first to last event, gaps between them), skip rate, searches, pauses,\n"
      "sessions ended by `exit` / left paused, and the share of positive decision points per horizon with\n"
      "the reason (exit or timeout, search, skip burst). Several files are read as one (listeners by user id).\n"
      "Use it on a `segue import` output and a `segue simulate` output to compare them (docs/data.md).");
  app->add_option("files", o->files, "Events NDJSON files")->required()->check(CLI::ExistingFile);
  app->add_option("--horizons-min", o->horizons_min, "Label horizons H in minutes")->delimiter(',')->capture_default_str();
  app->add_option("--burst-skips", o->burst_skips, "Skip burst: at least S skips ...")->capture_default_str();
  app->add_option("--burst-window", o->burst_window, "... within the next W plays")->capture_default_str();
  app->add_option("--session-timeout-min", o->session_timeout_min, "Inactivity that ends a session")
      ->capture_default_str();
  app->add_flag("--json", o->json, "One JSON object on stdout");
  out.push_back({app, [o] { return RunDataStats(*o); }});
}

}  // namespace segue::cli
