// GET /dashboard in headless Chromium (Debian's chromium). Chromium runs the page for a virtual-time budget
// (several 2 s polls), then dumps its DOM and takes a screenshot (kept in the build directory); the page
// must have recorded no error, written nothing to the console, and the screenshot must be a PNG of
// plausible size. Against `segue serve` as a process with a disengagement model and live traffic (events,
// recommendation requests) while the page polls, every chart draws data (its data-points attribute, set by
// dashboard.js after drawing) or, where this server cannot have data (no PSI without a reference histogram
// in the bundle, no experiments), says so; without a model the score charts say so; and against a stand-in
// server answering in the shapes of the monitoring and experiments contracts, PSI, the rolling score
// histogram and the experiment's arms side by side are drawn. Skips when chromium is absent.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "../log/test_util.h"
#include "../models/skip_burst_bundle.h"
#include "common/time_util.h"
#include "models/disengagement_bundle.h"
#include "fake_server_host.h"
#include "recommend_fixture.h"
#include "serving/dashboard_handler.h"
#include "serving/http_server.h"
#include "server_process.h"

namespace segue::serving {
namespace {

std::string FindChromium() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/chromium";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Chromium in its own process group, so every process it starts is killed with it on every path.
class Chromium {
 public:
  Chromium(const std::string& binary, const std::vector<std::string>& args, const std::string& stdout_path,
           const std::string& stderr_path) {
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      std::vector<char*> argv{const_cast<char*>(binary.c_str())};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    setpgid(pid_, pid_);  // also here: the child may not have run yet
  }
  ~Chromium() {
    kill(-pid_, SIGKILL);
    if (!exited_) waitpid(pid_, nullptr, 0);
  }
  // The exit status, or -1 when it ran longer than `timeout`.
  int Wait(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

// Until stopped: one listener's plays, skips and completes (scored by the model) and a recommendation
// request after each, so counters move between the page's polls and the latency histograms fill.
class Traffic {
 public:
  explicit Traffic(int port) : thread_([this, port] { Run(port); }) {}
  ~Traffic() {
    stop_ = true;
    thread_.join();
  }
  int failures() const { return failures_; }

 private:
  void Run(int port) {
    Client client(port);
    for (int i = 0; !stop_; ++i) {
      const std::string id = "live-" + std::to_string(i);
      static const char* kTypes[] = {"play", "skip", "play", "complete"};
      const std::string body = "[" + EventJson(id, "live", kTypes[i % 4], NowMs(), "t" + std::to_string(i % 40)) + "]";
      if (client.Send(http::verb::post, "/v1/events", body).status != 202) ++failures_;
      if (client.Send(http::verb::get, "/v1/users/live/recommendations").status != 200) ++failures_;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  std::thread thread_;
};

// The data-points attribute of the element with this id (-1 when absent: the page never drew it).
int DataPoints(const std::string& dom, const std::string& id) {
  std::smatch m;
  if (!std::regex_search(dom, m, std::regex("id=\"" + id + "\"[^>]*data-points=\"([0-9]+)\""))) return -1;
  return std::stoi(m[1]);
}

// The note a chart shows instead of data ("" when it has data).
std::string Note(const std::string& dom, const std::string& id) {
  std::smatch m;
  if (!std::regex_search(dom, m, std::regex("id=\"" + id + "\"[^>]*>.*?<p class=\"note\">([^<]*)</p>"))) return "";
  return m[1];
}

// Starts `segue serve` (with a disengagement model when asked) or a stand-in server, then runs the dashboard in Chromium while
// `traffic` (if set) feeds the server, and keeps the dumped DOM and Chromium's log. The page itself must
// have loaded, recorded no error and written nothing to the console; the screenshot must be a PNG.
class DashboardChromiumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    if (chromium_.empty()) GTEST_SKIP() << "chromium is not installed (Debian package chromium; scripts/setup.sh)";
  }

  void StartServer(bool with_model) {
    const std::string config = dir_.path() + "/segue.toml";
    std::ofstream out(config);
    if (with_model) {
      ASSERT_TRUE(SaveBundle(segue::testing::TrainSkipBurstBundle(2000, 500, 21, 2), dir_.path() + "/models/v1").ok());
      out << "models_dir = \"" << dir_.path() << "/models\"\n";
    }
    out << "[log]\nmin_free_bytes = 0\n";
    out.close();
    server_ = std::make_unique<ServerProcess>(dir_.path() + "/data", config, dir_.path() + "/server.log");
    ASSERT_GT(server_->port(), 0) << server_->first_line();
    ASSERT_TRUE(server_->WaitReady());
    port_ = server_->port();
  }

  void RunPage(const std::string& screenshot_name, bool with_traffic) {
    const std::string screenshot = std::filesystem::current_path().string() + "/" + screenshot_name;
    std::filesystem::remove(screenshot);
    const std::string dom_path = dir_.path() + "/dom.html", log_path = dir_.path() + "/chromium.log";
    {
      std::unique_ptr<Traffic> traffic = with_traffic ? std::make_unique<Traffic>(port_) : nullptr;
      Chromium browser(chromium_,
                       {"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--user-data-dir=" + dir_.path() + "/chromium-profile", "--enable-logging=stderr", "--v=0",
                        "--virtual-time-budget=12000", "--window-size=1280,1400", "--screenshot=" + screenshot,
                        "--dump-dom", "http://127.0.0.1:" + std::to_string(port_) + "/dashboard"},
                       dom_path, log_path);
      const int status = browser.Wait(std::chrono::seconds(25));
      ASSERT_NE(status, -1) << "chromium ran longer than 25 s; its log: " << log_path;
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(log_path);
      if (traffic) {
        EXPECT_EQ(traffic->failures(), 0);
      }
    }
    dom_ = ReadFile(dom_path);
    ASSERT_NE(dom_.find("<h1>Segue</h1>"), std::string::npos) << "the page did not load:\n" << dom_;
    EXPECT_NE(dom_.find("<pre id=\"errors\"></pre>"), std::string::npos) << "errors on the page:\n" << dom_;
    EXPECT_NE(dom_.find("id=\"status\">updated"), std::string::npos) << dom_;
    const std::string log = ReadFile(log_path);
    std::smatch console;
    EXPECT_FALSE(std::regex_search(log, console, std::regex(".*:CONSOLE.*"))) << "console: " << console.str();
    const std::string png = ReadFile(screenshot);
    std::cout << "screenshot: " << screenshot << " (" << png.size() << " bytes)\n";
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_GT(png.size(), 20'000u) << "a 1280x1400 dashboard with charts compresses to more than this";
  }

  std::string chromium_;
  segue::testing::TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  int port_ = 0;
  std::string dom_;
};

TEST_F(DashboardChromiumTest, ChartsRenderWithData) {
  ASSERT_NO_FATAL_FAILURE(StartServer(/*with_model=*/true));
  Client client(port_);
  ASSERT_EQ(client.Send(http::verb::post, "/v1/tracks", FixtureTracksJson()).status, 200);
  ASSERT_EQ(client.Send(http::verb::post, "/v1/events", FixtureOtherListenersJson(NowMs() - 3'600'000)).status, 202);
  ASSERT_NO_FATAL_FAILURE(RunPage("dashboard_chromium_test.png", /*with_traffic=*/true));

  for (const char* chart : {"events", "latency", "score", "rates", "pushes", "lag"}) {
    EXPECT_GT(DataPoints(dom_, chart), 0) << chart << " drew no data; note: " << Note(dom_, chart);
  }
  // PSI needs a reference histogram in the bundle (wt/monitoring); without one the chart says so.
  if (DataPoints(dom_, "psi") == 0) {
    EXPECT_NE(Note(dom_, "psi").find("segue_score_psi absent"), std::string::npos) << dom_;
  }
  EXPECT_NE(dom_.find("no experiments"), std::string::npos) << "this server runs no experiment:\n" << dom_;
}

TEST_F(DashboardChromiumTest, WithoutAModelTheScoreChartsSaySo) {
  ASSERT_NO_FATAL_FAILURE(StartServer(/*with_model=*/false));
  ASSERT_NO_FATAL_FAILURE(RunPage("dashboard_chromium_test_no_model.png", /*with_traffic=*/false));

  for (const char* chart : {"score", "psi"}) {
    EXPECT_EQ(DataPoints(dom_, chart), 0) << chart;
    EXPECT_EQ(Note(dom_, chart), "no model loaded") << chart;
  }
  EXPECT_GT(DataPoints(dom_, "events"), 0) << "rates of zero are data too";
  EXPECT_GT(DataPoints(dom_, "lag"), 0);
}

// What the monitoring and experiments work serve, in the shapes of the contracts (docs/operations.md,
// prompts' contracts: segue_score_psi, a rolling score histogram, the experiments list and report), from an
// in-process server that also serves the dashboard: the page draws PSI, the rolling histogram and the
// arms side by side, and parses escaped label values.
class ContractServer {
 public:
  ContractServer() {
    DashboardHandler().Register(host_);
    Add("/metrics", "text/plain; version=0.0.4", Metrics());
    Add("/v1/experiments", "application/json", R"({"experiments":[{"id":"push-vs-shadow","description":"pushes)"
        R"( against a shadow arm","enabled":true,"horizon_ms":1800000,"arms":[{"name":"shadow","kind":"shadow",)"
        R"("weight":0.5},{"name":"treatment","kind":"treatment","weight":0.5}]}]})");
    Add("/v1/experiments/push-vs-shadow/report", "application/json", Report());
    server_ = std::make_unique<HttpServer>(
        ioc_, HttpServerOptions{}, [this](HttpRequest r, ResponseCallback d) { host_.router().Handle(std::move(r), std::move(d)); },
        host_.registry());
    Result<tcp::endpoint> bound = server_->Listen(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    EXPECT_TRUE(bound.ok()) << bound.status().ToString();
    if (bound.ok()) port_ = bound->port();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~ContractServer() {
    server_->Stop();
    ioc_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  void Add(const std::string& path, const std::string& type, std::string body) {
    host_.AddRoute(HttpMethod::kGet, path, [type, body](HttpRequest, PathParams, ResponseCallback done) {
      HttpResponse r;
      r.content_type = type;
      r.body = body;
      done(std::move(r));
    }, RouteReadiness::kAlways);
  }
  static std::string Metrics() {
    std::string text = "# HELP segue_score_psi PSI.\n# TYPE segue_score_psi gauge\nsegue_score_psi 0.07\n"
                       "segue_events_accepted_total{type=\"play\"} 12\n"
                       "segue_events_accepted_total{type=\"a\\\"b\\\\c\",other=\"x\"} 3\n"
                       "segue_disengagement_threshold 0.5\n";
    const int cumulative[] = {0, 4, 9, 15, 18, 20};
    const char* bounds[] = {"0.2", "0.4", "0.6", "0.8", "1", "+Inf"};
    for (int i = 0; i < 6; ++i) {
      text += "segue_score_rolling_bucket{le=\"" + std::string(bounds[i]) + "\"} " + std::to_string(cumulative[i]) + "\n";
    }
    return text + "segue_score_rolling_sum 10.1\nsegue_score_rolling_count 20\n";
  }
  static std::string Report() {
    auto metric = [](const char* value, const char* ci, int n) {
      return std::string(R"({"value":)") + value + R"(,"ci95":)" + ci + R"(,"n":)" + std::to_string(n) + "}";
    };
    auto arm = [&](const char* name, const char* kind, const char* trigger_rate, const char* ctr) {
      return std::string(R"({"name":")") + name + R"(","kind":")" + kind + R"(","listeners":40,"sessions":90,)"
             R"("metrics":{"trigger_rate":)" + metric(trigger_rate, "[0.08,0.16]", 90) +
             R"(,"click_through":)" + metric(ctr, "null", 0) + R"(,"session_length_ms":)" +
             metric("612000", "[500000,700000]", 90) + "}}";
    };
    return R"({"experiment":"push-vs-shadow","generated_at":"2026-11-30T15:00:00Z","horizon_ms":1800000,"arms":[)" +
           arm("shadow", "shadow", "0.12", "null") + "," + arm("treatment", "treatment", "0.11", "0.3") +
           R"(],"differences":[{"arm":"treatment","baseline":"shadow","metrics":{"trigger_rate":)"
           R"({"value":-0.01,"ci95":[-0.05,0.03]}}}]})";
  }

  testing::FakeServerHost host_;
  net::io_context ioc_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(DashboardChromiumTest, DrawsDriftAndExperimentsInTheContractsShapes) {
  ContractServer server;
  ASSERT_GT(server.port(), 0);
  port_ = server.port();
  ASSERT_NO_FATAL_FAILURE(RunPage("dashboard_chromium_test_contracts.png", /*with_traffic=*/false));

  EXPECT_EQ(DataPoints(dom_, "score"), 6) << "the rolling histogram's six buckets";
  EXPECT_NE(dom_.find("(segue_score_rolling)"), std::string::npos) << "the rolling histogram is preferred";
  EXPECT_GT(DataPoints(dom_, "psi"), 0) << Note(dom_, "psi");
  // The label value a\"b\\c (escaped quote and backslash) is the series a"b\c.
  EXPECT_NE(dom_.find("data-series=\"play,a&quot;b\\c,rejected,duplicate\""), std::string::npos) << dom_;
  // Arms side by side: trigger rate for both arms, click-through for the treatment only (shadow: null).
  EXPECT_EQ(DataPoints(dom_, "experiment-push-vs-shadow"), 3) << dom_;
  EXPECT_NE(dom_.find("pushes against a shadow arm"), std::string::npos);
  EXPECT_NE(dom_.find("treatment − shadow"), std::string::npos) << "the difference column";
  EXPECT_NE(dom_.find("0.120 [0.0800, 0.160] n=90"), std::string::npos) << "a value with its interval";
  EXPECT_NE(dom_.find("-0.0100 [-0.0500, 0.0300]"), std::string::npos) << "a difference with its interval";
}

}  // namespace
}  // namespace segue::serving
