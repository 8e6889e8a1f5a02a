// The closed-loop driver against `segue serve` as a process with a disengagement model (the synthetic
// skip-burst bundle): simulated listeners' skip bursts fire the trigger, the pushed recommendations become
// offers, and an accepted offer comes back to the server as a play carrying the push's rec_id (checked in
// the server's own log).
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "../models/skip_burst_bundle.h"
#include "../serving/server_process.h"
#include "common/time_util.h"
#include "events/event_json.h"
#include "models/disengagement_bundle.h"
#include "replay/closed_loop.h"
#include "replay/http_client.h"
#include "sim/ndjson_writer.h"
#include "tests/testing/run_command.h"

namespace segue {
namespace {

constexpr int64_t kHour = 3'600'000;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// POSTs `body` and expects `status`.
void Post(HttpClient& client, const std::string& target, const std::string& body, int status) {
  Result<HttpResponse> r = client.Call("POST", target, body, "application/x-ndjson");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, status) << r->body;
}

TEST(ClosedLoopTest, PushesBecomeOffersAndAcceptedOffersComeBackAsPlaysWithTheirRecId) {
  if (!std::filesystem::exists(SEGUE_BINARY)) GTEST_SKIP() << "build the segue binary first";
  testing::TempDir dir;
  ASSERT_TRUE(SaveBundle(segue::testing::TrainSkipBurstBundle(5000, 1500, 21, 3), dir.path() + "/models/v1").ok());
  const std::string config = dir.path() + "/segue.toml";
  std::ofstream(config) << "models_dir = \"" << dir.path() << "/models\"\n[log]\nmin_free_bytes = 0\n"
                        << "[http]\nmax_connections_per_client = 0\n";
  serving::ServerProcess server(dir.path() + "/data", config, dir.path() + "/server.log");
  ASSERT_GT(server.port(), 0) << server.first_line();
  ASSERT_TRUE(server.WaitReady());
  const std::string port = std::to_string(server.port());

  // 150 listeners: a day of history (so the retrievers know the catalog), then 6 hours live, ending now.
  // Every offer is accepted (the acceptance threshold far below any match), so accepted plays must appear.
  sim::SimConfig sc;
  sc.users = 150;
  sc.days = 2;
  sc.seed = 5;
  sc.catalog.tracks = 300;
  sc.behaviour.rec_accept_at = -10;
  const int64_t live_until = NowMs() - 60'000, history_end = live_until - 6 * kHour;
  sc.start_ms = history_end - 24 * kHour;
  sim::Simulator sim(sc);
  ASSERT_TRUE(sim::WriteCatalogNdjson(sim.catalog(), dir.path() + "/tracks.ndjson").ok());
  sim::VectorSink history;
  ASSERT_TRUE(sim.RunUntil(history_end, history).ok());
  std::string events;
  for (const Event& e : history.events()) {
    AppendEventJson(e, &events);
    events += '\n';
  }
  HttpClient client("127.0.0.1", port);
  Post(client, "/v1/tracks", Slurp(dir.path() + "/tracks.ndjson"), 200);
  Post(client, "/v1/events", events, 202);

  ClosedLoopOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.until_ms = live_until;
  Result<ClosedLoopReport> r = RunClosedLoop(sim, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->listeners, 150u);
  EXPECT_GT(r->events, 100u);
  EXPECT_EQ(r->rejected, 0u);
  EXPECT_GT(r->pushes, 0u);
  EXPECT_GT(r->pushes_in_time, 0u);
  // Every push with a track of the catalog is offered (a fallback may push nothing: no offer).
  EXPECT_EQ(r->offers + r->pushes_without_tracks, r->pushes);
  EXPECT_GT(r->offers, 0u);
  EXPECT_GT(r->accepted, 0u);
  ASSERT_EQ(r->arms.size(), 1u);
  EXPECT_GT(r->arms[0].sessions, 0u);
  EXPECT_EQ(r->arms[0].accepted, r->accepted);

  // The server's log holds the accepted plays: source "recommendation" with the push's rec_id (the
  // simulator has no rec ids of its own).
  server.Signal(SIGTERM);
  int code = -1;
  const std::string log = test_support::RunCommand(std::string(SEGUE_BINARY) + " log export --data-dir " + dir.path() +
                                                       "/data 2>/dev/null",
                                                   &code);
  ASSERT_EQ(code, 0);
  uint64_t with_rec_id = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json e = nlohmann::json::parse(line);
    if (!e.contains("context") || !e["context"].contains("rec_id")) continue;
    EXPECT_EQ(e["type"], "play") << line;
    EXPECT_EQ(e["context"]["source"], "recommendation") << line;
    ++with_rec_id;
  }
  EXPECT_EQ(with_rec_id, r->accepted);
}

}  // namespace
}  // namespace segue
