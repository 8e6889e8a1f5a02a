// GET /dashboard in headless Chromium (Debian's chromium) against `segue serve` as a process, with a
// disengagement model loaded and live traffic (events, recommendation requests) while the page polls.
// Chromium runs the page for a virtual-time budget (several 2 s polls), then dumps its DOM and takes a
// screenshot. Checked: every chart drew data (its data-points attribute, set by dashboard.js after
// drawing) or, where this server cannot have data (no PSI without a reference histogram in the bundle, no
// experiments), says so; the page recorded no error and wrote nothing to the console; the screenshot is a
// PNG of plausible size (kept in the build directory). Without a model, the score charts say so. Skips
// when chromium is absent.
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
#include "recommend_fixture.h"
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

// Starts `segue serve` (with a disengagement model when asked), then runs the dashboard in Chromium while
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
  }

  void RunPage(const std::string& screenshot_name, bool with_traffic) {
    const std::string screenshot = std::filesystem::current_path().string() + "/" + screenshot_name;
    std::filesystem::remove(screenshot);
    const std::string dom_path = dir_.path() + "/dom.html", log_path = dir_.path() + "/chromium.log";
    {
      std::unique_ptr<Traffic> traffic = with_traffic ? std::make_unique<Traffic>(server_->port()) : nullptr;
      Chromium browser(chromium_,
                       {"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--user-data-dir=" + dir_.path() + "/chromium-profile", "--enable-logging=stderr", "--v=0",
                        "--virtual-time-budget=12000", "--window-size=1280,1400", "--screenshot=" + screenshot,
                        "--dump-dom", "http://127.0.0.1:" + std::to_string(server_->port()) + "/dashboard"},
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
  testing::TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string dom_;
};

TEST_F(DashboardChromiumTest, ChartsRenderWithData) {
  ASSERT_NO_FATAL_FAILURE(StartServer(/*with_model=*/true));
  Client client(server_->port());
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

}  // namespace
}  // namespace segue::serving
