// `segue replay FILE --target http://HOST:PORT`: load-test `POST /v1/events` with an NDJSON file
// (src/replay/replay.h). Exit status: 0 when every request was acknowledged with 202, 1 when some
// requests failed (the report says which), 2 when the run could not start (bad options, unreachable
// target, unreadable file).
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "replay/replay.h"

namespace segue::cli {

void AddReplayCommand(CLI::App& root, CommandList& out) {
  auto options = std::make_shared<ReplayOptions>();
  auto json = std::make_shared<bool>(false);
  CLI::App* app = root.add_subcommand(
      "replay",
      "Send an NDJSON event file to a Segue server (POST /v1/events) and report the achieved events/s and the "
      "acknowledgement latency percentiles (request sent -> 202 received). Lines are sent as they are, up to B "
      "per request, over C keep-alive connections with connection affinity by listener: a line goes to "
      "connection FNV-1a(user_id) % C, and each connection sends its lines in file order with one request in "
      "flight, so every listener's events arrive in file order (lines without a user_id go to connection 0 and "
      "are counted). --rate paces the file as a whole: a batch leaves no earlier than (its first line's index)/R "
      "seconds after the start. Failed requests are counted, never retried. Progress on stderr every second. "
      "Exit status 0: all acknowledged; 1: some requests failed; 2: could not run.");
  app->add_option("file", options->file, "NDJSON events, one per line (e.g. from segue simulate or segue import)")
      ->required();
  app->add_option("--target", options->target, "Server address, http://HOST:PORT")->required();
  app->add_option("--rate", options->rate, "Events per second to aim for; 0 = as fast as the server answers")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
  app->add_option("--batch", options->batch, "Most events per request")->default_val(100)->check(CLI::Range(1, 1000000));
  app->add_option("--connections", options->connections,
                  "Concurrent keep-alive connections (each carries a fixed share of the listeners)")
      ->default_val(4)
      ->check(CLI::Range(1, 1024));
  app->add_option("--timeout-ms", options->timeout_ms, "Per-request timeout in milliseconds")
      ->default_val(30000)
      ->check(CLI::Range(1, 3600000));
  app->add_option("--read", options->read_path,
                  "Also GET this path while the file is sent, \"{user}\" replaced by the file's listeners in turn, "
                  "e.g. '/v1/users/{user}/recommendations?k=10'; its latency (from each request's due time) and "
                  "statuses are reported beside the ingest's");
  app->add_option("--read-rate", options->read_rate, "GET requests per second for --read")
      ->default_val(100)
      ->check(CLI::PositiveNumber);
  app->add_option("--read-connections", options->read_connections, "Keep-alive connections for --read")
      ->default_val(4)
      ->check(CLI::Range(1, 1024));
  app->add_option("--read-users", options->read_users, "How many of the file's listeners --read asks for")
      ->default_val(1000)
      ->check(CLI::Range(1, 10000000));
  app->add_option("--subscribe", options->subscribe,
                  "Also hold open the push streams (GET /v1/users/{id}/stream, SSE) of N of the file's listeners "
                  "(spread evenly over them in order of first appearance) and report event -> push latency: from "
                  "the writing of the request carrying the event that fired a listener's disengagement trigger (the "
                  "push's trigger_event_id) to the push read from the stream")
      ->default_val(0)
      ->check(CLI::Range(0, 100000));
  app->add_flag("--json", *json, "Print one JSON object with the figures on stdout instead of text");
  out.push_back({app, [options, json] {
                   options->progress = true;
                   Result<ReplayReport> report = RunReplay(*options);
                   if (!report.ok()) {
                     std::cerr << "segue replay: " << report.status().message() << "\n";
                     return 2;
                   }
                   if (*json) {
                     std::cout << ReplayReportToJson(*report) << "\n";
                   } else {
                     std::cout << ReplayReportToText(*report);
                   }
                   const bool reads_failed = report->reads && report->reads->ok < report->reads->requests;
                   return report->error_requests() == 0 && !reads_failed ? 0 : 1;
                 }});
}

}  // namespace segue::cli
