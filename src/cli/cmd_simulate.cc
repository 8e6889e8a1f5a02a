// `segue simulate`: synthetic catalog + listener sessions as NDJSON (events and tracks).
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "common/time_util.h"
#include "sim/simulate_to_files.h"

namespace segue::cli {
namespace {

struct SimulateOptions {
  uint32_t users = 1000;
  uint32_t days = 7;
  uint64_t seed = 1;
  uint32_t tracks = 5000;
  std::string start = "2025-01-06T00:00:00Z";
  std::string out;
  std::string catalog_out;
  bool json = false;
  bool quiet = false;
};

int RunSimulate(const SimulateOptions& o) {
  std::optional<int64_t> start = ParseRfc3339Ms(o.start);
  if (!start) {
    std::cerr << "segue simulate: --start: not an RFC 3339 time: '" << o.start << "'\n";
    return 2;
  }
  sim::SimConfig config;
  config.users = o.users;
  config.days = o.days;
  config.seed = o.seed;
  config.start_ms = *start;
  config.catalog.tracks = o.tracks;
  // Release dates never lie after the simulated period.
  config.catalog.reference_year = std::stoi(FormatRfc3339Ms(*start).substr(0, 4));
  const int64_t end_ms = config.start_ms + static_cast<int64_t>(o.days) * 86'400'000;
  if (end_ms > NowMs()) {
    std::cerr << "segue simulate: warning: the simulated period ends in the future (" << FormatRfc3339Ms(end_ms)
              << "); a server rejects events more than 5 minutes ahead of its clock\n";
  }

  auto progress = [&](double done, const sim::SimStats& stats) {
    if (o.quiet) return;
    std::fprintf(stderr, "\rsimulate: %5.1f%% of %u days, %llu events", 100.0 * done, o.days,
                 static_cast<unsigned long long>(stats.events));
    std::fflush(stderr);
  };
  Result<sim::SimSummary> r = sim::SimulateToFiles(config, o.out, o.catalog_out, progress);
  if (!o.quiet && r.ok() && r->stats.events >= 65536) std::fputc('\n', stderr);  // end the progress line
  if (!r.ok()) {
    std::cerr << "segue simulate: " << r.status().ToString() << "\n";
    return 1;
  }
  const sim::SimSummary& s = *r;
  // With the events on stdout, the summary goes to stderr.
  std::FILE* report = o.out == "-" ? stderr : stdout;
  if (o.json) {
    std::fprintf(report, "%s\n", sim::SimSummaryJson(s).c_str());
  } else {
    std::fprintf(report, "simulated %u listeners over %u days (seed %llu): %llu events, %llu sessions, %llu plays, "
                "skip rate %.3f\n",
                s.users, s.days, static_cast<unsigned long long>(s.seed),
                static_cast<unsigned long long>(s.stats.events), static_cast<unsigned long long>(s.sessions),
                static_cast<unsigned long long>(s.plays()), s.skip_rate());
    std::fprintf(report, "events: %s (%s .. %s)\n", o.out.c_str(), FormatRfc3339Ms(s.stats.first_ts_ms).c_str(),
                FormatRfc3339Ms(s.stats.last_ts_ms).c_str());
    if (!o.catalog_out.empty()) std::fprintf(report, "catalog: %s (%u tracks)\n", o.catalog_out.c_str(), s.tracks);
    std::fprintf(report, "%.2f s, %.0f events/s\n", s.seconds, s.seconds > 0 ? double(s.stats.events) / s.seconds : 0.0);
  }
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& root, CommandList& out) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* app = root.add_subcommand(
      "simulate",
      "Generate a synthetic catalog and simulated listener sessions as NDJSON events.\n"
      "Deterministic: the same flags give the same bytes. Listeners have hidden tastes, patience, fatigue and\n"
      "daily habits; skips rise with taste mismatch and fatigue, skip streaks lead to searches and exits.\n"
      "Events are in timestamp order; user ids are u000000.., event ids s<seed>-<user>-<n>.");
  app->add_option("--users", o->users, "Number of listeners")->check(CLI::Range(1u, 1'000'000u))->capture_default_str();
  app->add_option("--days", o->days, "Days of listening to simulate")->check(CLI::Range(1u, 366u))->capture_default_str();
  app->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  app->add_option("--tracks", o->tracks, "Catalog size")->check(CLI::Range(10u, 2'000'000u))->capture_default_str();
  app->add_option("--start", o->start,
                  "Start of the simulated period (RFC 3339, UTC midnight recommended); fixed by default so the\n"
                  "output is reproducible. Must lie far enough in the past for a server to accept the events.")
      ->capture_default_str();
  app->add_option("--out", o->out, "Events NDJSON file ('-' for stdout; the summary then goes to stderr)")
      ->required();
  app->add_option("--catalog-out", o->catalog_out, "Tracks NDJSON file (the catalog for POST /v1/tracks)");
  app->add_flag("--json", o->json, "Print the summary as one JSON object on stdout");
  app->add_flag("--quiet", o->quiet, "No progress line on stderr");
  out.push_back({app, [o] { return RunSimulate(*o); }});
}

}  // namespace segue::cli
