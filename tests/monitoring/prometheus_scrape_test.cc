// A real Prometheus (Debian's `prometheus`) scrapes a real `segue serve` on loopback every second; the
// series must arrive in Prometheus, checked through its own HTTP query API (/api/v1/query): the target
// is up, the events we posted are counted, the score drift (a model with a reference histogram is
// loaded) and engagement series exist (the baseline from the bundle's training data), the lag is back to 0. Segue's exposition also passes `promtool check metrics`.
// Skips when prometheus is not installed. Every process it starts is SIGKILLed on every path (the
// destructors), and the scratch directory removed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_trainer.h"
#include "tests/log/test_util.h"
#include "tests/models/synthetic_features.h"
#include "tests/serving/server_process.h"
#include "tests/testing/find_program.h"
#include "tests/testing/run_command.h"

namespace segue::monitoring {
namespace {

using serving::Client;
using serving::Reply;
using serving::ServerProcess;
namespace http = serving::http;

// A loopback port nobody listens on right now (bound, read, released: a tiny race we accept in a test).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// A child process with stdout and stderr in `log_path`; SIGKILLed and reaped when this goes away.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path) {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (FILE* log = std::fopen(log_path.c_str(), "a")) {
        ::dup2(fileno(log), STDOUT_FILENO);
        ::dup2(fileno(log), STDERR_FILENO);
      }
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

 private:
  pid_t pid_ = -1;
};

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The value of the first sample an instant query returns; nullopt when it returns none (not scraped yet).
std::optional<double> QueryFirst(int prometheus_port, const std::string& promql) {
  Reply r = Client(prometheus_port).Send(http::verb::get, "/api/v1/query?query=" + UrlEncode(promql));
  if (r.status != 200) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || j["status"] != "success" || j["data"]["result"].empty()) return std::nullopt;
  return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());  // "NaN" parses as NaN
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A tiny disengagement bundle with the reference histogram and training-data engagement counts that
// `segue train` gives it (one epoch: seconds).
void SaveTinyBundle(const std::string& dir) {
  auto set = segue::testing::MakeSkipBurstSet(300, 1);
  TrainOptions options;
  options.max_epochs = 1;
  auto trained = TrainDisengagementTransformer(set.x, set.y, set.x, set.y, options);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  DisengagementBundle bundle;
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.architecture = trained->architecture;
  bundle.weights = trained->weights;
  SummariseValidation(trained->valid_scores, set.y, &bundle);
  bundle.training_engagement = EngagementCounts{.plays_ended = 100, .plays_skipped = 20, .sessions_started = 10,
                                                .sessions_exited = 3};
  ASSERT_EQ(bundle.score_histogram.size(), static_cast<size_t>(kScoreHistogramBins));
  ASSERT_TRUE(SaveBundle(bundle, dir).ok());
}

TEST(PrometheusScrapeTest, SeriesArriveInARealPrometheus) {
  const std::optional<std::string> prometheus = test_support::FindProgram("prometheus");
  if (!prometheus) GTEST_SKIP() << "prometheus not on PATH (Debian package prometheus)";
  segue::testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(SaveTinyBundle(dir.path() + "/models/v1"));
  const std::string config = dir.path() + "/segue.toml";
  std::ofstream(config) << "models_dir = \"" << dir.path() << "/models\"\n";
  const std::string server_log = dir.path() + "/server.log";
  ServerProcess server(dir.path() + "/data", config, server_log);
  ASSERT_GT(server.port(), 0) << ReadAll(server_log);
  ASSERT_TRUE(server.WaitReady()) << ReadAll(server_log);

  // Three listeners, 24 events each (plays, skips, completes): scored decision points and ended plays.
  Client client(server.port());
  for (const char* user : {"p1", "p2", "p3"}) {
    std::string body;
    for (const auto& e : serving::UserEvents(user, 24, NowMs() - 600'000)) body += e.second + "\n";
    ASSERT_EQ(client.Send(http::verb::post, "/v1/events", body, "application/x-ndjson").status, 202);
  }
  const Reply exposition = client.Send(http::verb::get, "/metrics");
  ASSERT_EQ(exposition.status, 200);
  if (std::optional<std::string> promtool = test_support::FindProgram("promtool")) {
    const std::string file = dir.path() + "/metrics.prom";
    std::ofstream(file) << exposition.body;
    test_support::CommandResult lint = test_support::RunCommand(*promtool + " check metrics < " + file + " 2>&1");
    EXPECT_EQ(lint.exit_code, 0) << lint.out;
  }

  const int prometheus_port = FreePort();
  ASSERT_GT(prometheus_port, 0);
  const std::string prometheus_config = dir.path() + "/prometheus.yml";
  std::ofstream(prometheus_config) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                   << "scrape_configs:\n  - job_name: segue\n    static_configs:\n"
                                   << "      - targets: [\"127.0.0.1:" << server.port() << "\"]\n";
  const std::string prometheus_log = dir.path() + "/prometheus.log";
  ChildProcess prometheus_process(
      {*prometheus, "--config.file=" + prometheus_config, "--storage.tsdb.path=" + dir.path() + "/tsdb",
       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port),
       "--web.console.templates=" + dir.path(), "--web.console.libraries=" + dir.path(), "--log.level=warn"},
      prometheus_log);

  // What must arrive (the value's check); the feedback collector's outcomes once Segue exposes them.
  std::map<std::string, std::function<bool(double)>> expected = {
      {"up{job=\"segue\"}", [](double v) { return v == 1; }},
      {"sum(segue_events_accepted_total)", [](double v) { return v == 72; }},
      {"segue_disengagement_scored_total", [](double v) { return v > 0; }},
      {"segue_score_psi", [](double) { return true; }},  // NaN until 200 scores: present is what counts
      {"segue_score_window_bucket{le=\"+Inf\"}", [](double v) { return v > 0; }},
      {"segue_engagement_skip_rate", [](double v) { return v > 0 && v < 1; }},
      {"segue_engagement_skip_rate_baseline", [](double v) { return v == 0.2; }},  // the bundle's
      {"segue_engagement_baseline_from_bundle", [](double v) { return v == 1; }},
      // Everything posted was consumed: the lag goes back to 0 (it once stayed one group behind).
      {"segue_pipeline_lag_events", [](double v) { return v == 0; }},
      {"sum(segue_http_request_duration_seconds_count)", [](double v) { return v > 0; }},
  };
  if (exposition.body.find("segue_feedback_outcomes_total") != std::string::npos) {
    expected["count(segue_feedback_outcomes_total)"] = [](double v) { return v > 0; };
  }
  const auto start = std::chrono::steady_clock::now();
  std::map<std::string, std::optional<double>> seen;
  auto all_arrived = [&] {
    bool all = true;
    for (const auto& [query, ok] : expected) {
      seen[query] = QueryFirst(prometheus_port, query);
      all = all && seen[query] && ok(*seen[query]);
    }
    return all;
  };
  bool arrived = false;
  while (!(arrived = all_arrived()) && std::chrono::steady_clock::now() - start < std::chrono::seconds(15)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  std::string report;
  for (const auto& [query, value] : seen) report += query + " = " + (value ? std::to_string(*value) : "none") + "\n";
  EXPECT_TRUE(arrived) << report << "prometheus log:\n" << ReadAll(prometheus_log);
  std::printf("Prometheus query results after %.1f s:\n%s",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), report.c_str());
}

}  // namespace
}  // namespace segue::monitoring
