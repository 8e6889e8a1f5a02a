// `segue demo`: the whole closed loop end to end, on loopback, in a temporary directory.
//
// Steps (each reports what it measured):
//   simulate history → train disengagement → train retrieval → start server (both models, an experiment
//   configured) → load catalog → replay history → experiment (shadow vs treatment, 50/50) → live listeners
//   → experiment report → stop server (or, with --keep, wait for Ctrl-C).
// One Simulator covers the history and the live part: the history (`--days` days of `--users` listeners,
// ending `--live-hours` before now) is written to NDJSON for training and replayed; then the same
// listeners go on live (replay/closed_loop.h) from where the history ended up to about now, in accelerated
// event time, each with a push stream: a push becomes an offer the listener accepts, skips or ignores by
// its hidden taste. Training and serving are this binary run as child processes, as an operator would run
// them: `/proc/self/exe train disengagement|retrieval ... --json` (the report keeps their JSON), then
// `/proc/self/exe serve --listen 127.0.0.1:0 --models DIR --config segue.toml` (two-tower retriever, admin
// routes with a token file, no per-client connection cap: every live listener holds a stream), whose first
// stdout line names the port it got.
// The experiment is PUT to the server's admin route /v1/experiments/demo; the server assigns the listeners
// and withholds the shadow arm's pushes. The driver computes the same assignment (experiments/assignment.h)
// and measures each arm's exit rate and session length on the client side; both that and the server's own
// report (GET /v1/experiments/demo/report) are printed.
// The temporary directory is removed at the end unless --keep is given; the server is stopped with
// SIGTERM (SIGKILL if it does not exit in time) on every path.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/time_util.h"
#include "experiments/assignment.h"
#include "experiments/experiment_json.h"
#include "replay/closed_loop.h"
#include "replay/http_client.h"
#include "replay/loop_report.h"
#include "replay/replay.h"
#include "sim/simulate_to_files.h"

namespace segue::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kHourMs = 3'600'000;
constexpr const char* kExperiment = "demo";
// The admin token the demo's server is configured with (a fresh temporary directory per run, loopback only).
constexpr const char* kAdminToken = "segue-demo-admin-token-0123456789";

struct DemoOptions {
  // 2 to 2.5 minutes on the loaded 2-core machine (docs/benchmarks.md): training grows with users × days, the
  // live part with live hours (rounds) far more than with listeners.
  uint32_t users = 2000;
  uint32_t days = 1;
  double live_hours = 8;
  uint64_t seed = 1;
  uint32_t tracks = 3000;
  size_t batch = 100;
  size_t connections = 4;
  bool keep = false;
  bool json = false;
};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double SecondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// argv for execv, built before fork (the child of a threaded process must not allocate).
std::vector<char*> SelfArgv(const std::vector<std::string>& args) {
  std::vector<char*> argv{const_cast<char*>("segue")};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// In a forked child: become this binary with `argv`; returns only to exit with 127.
[[noreturn]] void ExecSelf(const std::vector<char*>& argv) {
  execv("/proc/self/exe", argv.data());
  std::fprintf(stderr, "exec /proc/self/exe: %s\n", std::strerror(errno));
  _exit(127);
}

// Runs this binary with `args` to completion, stdout and stderr into files. Returns its exit code
// (128+signal when killed by one).
Result<int> RunSelf(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  const std::vector<char*> argv = SelfArgv(args);
  const pid_t pid = fork();
  if (pid < 0) return Status::IoError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o >= 0) dup2(o, STDOUT_FILENO);
    if (e >= 0) dup2(e, STDERR_FILENO);
    ExecSelf(argv);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::IoError(std::string("waitpid: ") + std::strerror(errno));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void PrintLogTail(const fs::path& path, const char* what) {
  const std::string log = Slurp(path);
  if (log.empty()) return;
  std::fprintf(stderr, "--- %s (last 2 KB) ---\n%s\n", what, log.substr(log.size() > 2048 ? log.size() - 2048 : 0).c_str());
}

// Every live listener holds a push stream: this process and the server (which inherits the limit) each need
// a descriptor per listener, more than the usual soft limit of 1024.
Status RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return Status::IoError(std::string("getrlimit: ") + std::strerror(errno));
  if (limit.rlim_cur == limit.rlim_max) return Status::Ok();
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return Status::IoError(std::string("setrlimit: ") + std::strerror(errno));
  return Status::Ok();
}

// Set by SIGINT / SIGTERM while --keep holds the server.
volatile sig_atomic_t g_stop = 0;
extern "C" void OnStopSignal(int) { g_stop = 1; }

// Everything the steps share, and the cleanup that must happen whatever fails.
class Demo {
 public:
  explicit Demo(DemoOptions options) : o_(options) {}
  ~Demo() {
    StopServer();
    if (!dir_.empty() && !o_.keep) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  int Run() {
    const std::vector<std::pair<const char*, std::function<Status()>>> steps = {
        {"simulate history", [this] { return Simulate(); }},
        {"train disengagement", [this] { return TrainDisengagement(); }},
        {"train retrieval", [this] { return TrainRetrieval(); }},
        {"start server", [this] { return StartServer(); }},
        {"load catalog", [this] { return LoadCatalog(); }},
        {"replay history", [this] { return ReplayEvents(); }},
        {"configure experiment", [this] { return ConfigureExperiment(); }},
        {"live listeners", [this] { return Live(); }},
        {"experiment report", [this] { return ExperimentReport(); }},
    };
    const auto t0 = Clock::now();
    report_["ok"] = false;
    for (size_t i = 0; i < steps.size(); ++i) {
      std::fprintf(stderr, "demo: [%zu/%zu] %s\n", i + 1, steps.size(), steps[i].first);
      const auto step_t0 = Clock::now();
      Status s = steps[i].second();
      report_["step_seconds"][steps[i].first] = SecondsSince(step_t0);
      if (!s.ok()) return Fail(steps[i].first, s);
    }
    report_["seconds"] = SecondsSince(t0);
    if (!o_.keep) {
      if (Status s = StopServerStep(); !s.ok()) return Fail("stop server", s);
    }
    report_["ok"] = true;
    if (o_.keep) report_["dir"] = dir_.string();
    if (o_.json) {
      std::cout << report_.dump() << std::endl;
    } else {
      PrintText();
    }
    if (!o_.keep) return 0;
    WaitForStop();
    if (Status s = StopServerStep(); !s.ok()) {
      std::fprintf(stderr, "segue demo: stop server failed: %s\n", s.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "demo: server stopped; files kept in %s\n", dir_.c_str());
    return 0;
  }

 private:
  int Fail(const char* step, const Status& s) {
    std::fprintf(stderr, "segue demo: %s failed: %s\n", step, s.ToString().c_str());
    if (!dir_.empty()) PrintLogTail(dir_ / "server.log", "server log");
    report_["error"] = std::string(step) + ": " + s.ToString();
    if (o_.json) std::cout << report_.dump() << "\n";
    return 1;
  }

  // History for `days` days ending `live_hours` before now, written for training and replay; the same
  // simulator (its period one day longer) then runs live up to about now.
  Status Simulate() {
    char name[] = "/tmp/segue-demo-XXXXXX";
    if (!mkdtemp(name)) return Status::IoError(std::string("creating a temporary directory: ") + std::strerror(errno));
    dir_ = name;
    // A minute of margin: the live part ends at least that far before the wall clock when it starts.
    live_until_ms_ = NowMs() - 60'000;
    history_end_ms_ = live_until_ms_ - static_cast<int64_t>(o_.live_hours * kHourMs);
    sim::SimConfig config;
    config.users = o_.users;
    config.days = o_.days + 1;
    config.seed = o_.seed;
    config.catalog.tracks = o_.tracks;
    config.start_ms = history_end_ms_ - static_cast<int64_t>(o_.days) * kDayMs;
    config.catalog.reference_year = std::stoi(FormatRfc3339Ms(config.start_ms).substr(0, 4));
    sim_ = std::make_unique<sim::Simulator>(config);
    Result<sim::SimSummary> r =
        sim::SimulateToFiles(*sim_, history_end_ms_, (dir_ / "events.ndjson").string(), (dir_ / "tracks.ndjson").string(), nullptr);
    if (!r.ok()) return r.status();
    history_ = *r;
    history_.days = o_.days;
    report_["simulate"] = nlohmann::json::parse(sim::SimSummaryJson(history_));
    return Status::Ok();
  }

  // Short trainings on the simulated history (docs/models.md): 5-minute label horizon so that the labels
  // separate (at 30 minutes nearly every decision point is positive), no skip head (the trigger does not
  // use it), and the trigger threshold at 80 % validation precision: at the default 60 % this small model's
  // threshold lets a completed play fire (about 72 % of its decision points are positive).
  Status TrainDisengagement() {
    return Train("disengagement", {"--epochs", "3", "--no-skip-head", "--horizon-min", "5", "--target-precision", "0.8"});
  }

  Status TrainRetrieval() { return Train("retrieval", {}); }

  // `segue train KIND --events ... --catalog ... --out models/KIND/v0001 --json`; the report keeps its JSON.
  Status Train(const std::string& kind, const std::vector<std::string>& extra) {
    const fs::path out = dir_ / "models" / kind / "v0001";
    std::error_code ec;
    fs::create_directories(out.parent_path(), ec);
    if (ec) return Status::IoError("creating " + out.parent_path().string() + ": " + ec.message());
    std::vector<std::string> args = {"train", kind, "--events", (dir_ / "events.ndjson").string(), "--catalog",
                                     (dir_ / "tracks.ndjson").string(), "--out", out.string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const fs::path json_path = dir_ / ("train_" + kind + ".json"), log = dir_ / ("train_" + kind + ".log");
    const auto t0 = Clock::now();
    Result<int> code = RunSelf(args, json_path, log);
    if (!code.ok()) return code.status();
    if (*code != 0) {
      PrintLogTail(log, ("segue train " + kind + " log").c_str());
      return Status::Internal("segue train " + kind + " exited with status " + std::to_string(*code));
    }
    nlohmann::json result = nlohmann::json::parse(Slurp(json_path), nullptr, false);
    if (result.is_discarded()) return Status::Internal("segue train " + kind + " --json printed no JSON");
    result["wall_seconds"] = SecondsSince(t0);
    report_["train"][kind] = std::move(result);
    return Status::Ok();
  }

  // The server's config: the two-tower retriever from the bundle trained above; admin routes (the
  // experiment is PUT there); room for every live listener's push stream from this one address.
  Status WriteServerConfig() {
    std::ofstream(dir_ / "admin.token") << kAdminToken << "\n";
    std::ofstream config(dir_ / "segue.toml");
    config << "[recommend]\nretriever = \"two_tower\"\nretrieval_models_dir = \"" << (dir_ / "models" / "retrieval").string()
           << "\"\n[http]\nmax_connections_per_client = 0\nmax_connections = " << o_.users + 64
           << "\n[admin]\ntoken_file = \"" << (dir_ / "admin.token").string() << "\"\n";
    return config.good() ? Status::Ok() : Status::IoError("writing " + (dir_ / "segue.toml").string());
  }

  Status StartServer() {
    if (Status s = WriteServerConfig(); !s.ok()) return s;
    if (Status s = RaiseOpenFileLimit(); !s.ok()) return s;
    const fs::path data = dir_ / "data", log = dir_ / "server.log";
    const std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--data-dir", data.string(),
                                           "--models", (dir_ / "models" / "disengagement").string(),
                                           "--config", (dir_ / "segue.toml").string(), "--log-level", "warn"};
    const std::vector<char*> argv = SelfArgv(args);
    int out[2];
    if (pipe(out) != 0) return Status::IoError(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = fork();
    if (pid < 0) return Status::IoError(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      // Child: stdout to the pipe, stderr to the log file, then become `segue serve`.
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO);
      ExecSelf(argv);
    }
    server_pid_ = pid;
    close(out[1]);
    // The first stdout line is "listening on HOST:PORT".
    std::string line;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (line.find('\n') == std::string::npos) {
      pollfd p{out[0], POLLIN, 0};
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (left <= 0 || poll(&p, 1, left) <= 0) {
        close(out[0]);
        return Status::Unavailable("the server printed no 'listening on' line within 60 s");
      }
      char buf[256];
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) {
        close(out[0]);
        return Status::Unavailable("the server exited before it was listening");
      }
      line.append(buf, static_cast<size_t>(n));
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    drain_ = std::thread([fd = out[0]] {
      char buf[4096];
      while (read(fd, buf, sizeof buf) > 0) {
      }
      close(fd);
    });
    line = line.substr(0, line.find('\n'));
    const std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) return Status::Internal("unexpected first server line: '" + line + "'");
    address_ = line.substr(prefix.size());
    const size_t colon = address_.rfind(':');
    if (colon == std::string::npos) return Status::Internal("no port in '" + line + "'");
    host_ = address_.substr(0, colon);
    port_ = address_.substr(colon + 1);

    const auto t0 = Clock::now();
    for (;;) {
      Result<HttpResponse> r = HttpClient(host_, port_).Call("GET", "/readyz");
      if (r.ok() && r->status == 200) break;
      if (SecondsSince(t0) > 60) return Status::Unavailable("the server was not ready within 60 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    report_["server"] = {{"address", address_}, {"pid", server_pid_}, {"ready_seconds", SecondsSince(t0)}};
    return Status::Ok();
  }

  Status LoadCatalog() {
    // In chunks well inside the server's batch limit.
    std::ifstream in(dir_ / "tracks.ndjson");
    std::string line, chunk;
    uint64_t sent = 0, chunks = 0;
    HttpClient client(host_, port_);
    auto post = [&]() -> Status {
      Result<HttpResponse> r = client.Call("POST", "/v1/tracks", chunk, "application/x-ndjson");
      if (!r.ok()) return r.status();
      if (r->status / 100 != 2) return Status::Internal("POST /v1/tracks answered " + std::to_string(r->status) + ": " + r->body);
      ++chunks;
      chunk.clear();
      return Status::Ok();
    };
    while (std::getline(in, line)) {
      chunk += line;
      chunk += '\n';
      if (++sent % 1000 == 0) {
        if (Status s = post(); !s.ok()) return s;
      }
    }
    if (!chunk.empty()) {
      if (Status s = post(); !s.ok()) return s;
    }
    report_["catalog"] = {{"tracks", sent}, {"requests", chunks}};
    return Status::Ok();
  }

  Status ReplayEvents() {
    events_ = Slurp(dir_ / "events.ndjson");
    ReplayOptions options;
    options.text = events_;
    options.target = "http://" + address_;
    options.batch = o_.batch;
    options.connections = o_.connections;
    options.progress = !o_.json;
    Result<ReplayReport> r = RunReplay(options);
    if (!r.ok()) return r.status();
    replay_ = *r;
    report_["replay"] = nlohmann::json::parse(ReplayReportToJson(replay_));
    if (replay_.accepted + replay_.duplicates == 0) return Status::Internal("the server accepted no events");
    return WaitForPipeline();
  }

  // Until the server has applied every committed event (segue_pipeline_lag_events 0): triggers on the
  // history must not push to the live listeners' streams.
  Status WaitForPipeline() {
    const std::string gauge = "segue_pipeline_lag_events ";
    HttpClient client(host_, port_);
    const auto t0 = Clock::now();
    while (SecondsSince(t0) < 60) {
      Result<HttpResponse> m = client.Call("GET", "/metrics");
      if (!m.ok()) return m.status();
      const size_t at = m->body.find("\n" + gauge);
      if (at == std::string::npos) return Status::Internal("/metrics has no " + gauge);
      if (std::stod(m->body.substr(at + 1 + gauge.size())) == 0) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Status::DeadlineExceeded("the server's pipeline did not catch up with the history within 60 s");
  }

  // Shadow vs treatment, 50/50, PUT to the server (validated here first, with the server's own rules).
  Status ConfigureExperiment() {
    const nlohmann::json experiment = {
        {"description", "segue demo: proactive pushes (treatment) against triggers logged but not pushed (shadow)"},
        {"enabled", true},
        {"horizon_ms", 30 * 60'000},
        {"arms", {{{"name", "shadow"}, {"kind", "shadow"}, {"weight", 1}}, {{"name", "treatment"}, {"kind", "treatment"}, {"weight", 1}}}}};
    Result<experiments::ExperimentSpec> spec = experiments::ExperimentFromJson(experiment, kExperiment);
    if (!spec.ok()) return spec.status();
    experiment_ = *spec;
    Result<HttpResponse> r = HttpClient(host_, port_).Call("PUT", std::string("/v1/experiments/") + kExperiment, experiment.dump(),
                                                           "application/json", std::string("Bearer ") + kAdminToken);
    if (!r.ok()) return r.status();
    if (r->status != 200) return Status::Internal("PUT /v1/experiments/demo answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200));
    report_["experiment"] = {{"id", kExperiment}, {"spec", experiment}};
    return Status::Ok();
  }

  Status Live() {
    ClosedLoopOptions options;
    options.host = host_;
    options.port = port_;
    options.until_ms = live_until_ms_;
    options.progress = !o_.json;
    // The server's assignment, computed here too: the client-side arms cross-check its report.
    options.arms.clear();
    for (const experiments::ArmSpec& arm : experiment_.arms) options.arms.push_back(arm.name);
    options.arm_of = [this](size_t i) { return experiments::AssignArm(experiment_, sim_->listener(i).user_id()); };
    Result<ClosedLoopReport> r = RunClosedLoop(*sim_, options);
    if (!r.ok()) return r.status();
    live_ = *r;
    report_["live"] = nlohmann::json::parse(ClosedLoopReportToJson(live_));
    if (live_.pushes == 0) {
      return Status::Internal("the server pushed no recommendation to the live listeners (a model trained on a much "
                              "smaller history than the defaults may never fire its trigger; --live-hours may be too short)");
    }
    return Status::Ok();
  }

  Status ExperimentReport() {
    Result<HttpResponse> r = HttpClient(host_, port_).Call("GET", std::string("/v1/experiments/") + kExperiment + "/report");
    if (!r.ok()) return r.status();
    if (r->status != 200) return Status::Internal("GET the experiment report answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200));
    Result<std::string> text = ExperimentReportToText(r->body);
    if (!text.ok()) return text.status();
    experiment_text_ = *text;
    report_["experiment"]["report"] = nlohmann::json::parse(r->body);
    return Status::Ok();
  }

  // --keep: the server runs on (its dashboard, metrics and API stay up) until SIGINT or SIGTERM.
  void WaitForStop() {
    signal(SIGINT, OnStopSignal);
    signal(SIGTERM, OnStopSignal);
    std::fprintf(stderr, "demo: the server keeps running at http://%s (dashboard http://%s/dashboard); Ctrl-C stops it\n",
                 address_.c_str(), address_.c_str());
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  Status StopServerStep() {
    const auto t0 = Clock::now();
    const int code = StopServer();
    report_["shutdown"] = {{"exit_code", code}, {"seconds", SecondsSince(t0)}};
    return code == 0 ? Status::Ok() : Status::Internal("the server exited with status " + std::to_string(code));
  }

  // SIGTERM, then SIGKILL after 30 s. Returns the exit code (128+signal when killed by one).
  int StopServer() {
    if (server_pid_ <= 0) return 0;
    kill(server_pid_, SIGTERM);
    int status = 0;
    const auto t0 = Clock::now();
    for (;;) {
      pid_t r = waitpid(server_pid_, &status, WNOHANG);
      if (r == server_pid_ || r < 0) break;
      if (SecondsSince(t0) > 30) {
        kill(server_pid_, SIGKILL);
        waitpid(server_pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    server_pid_ = 0;
    if (drain_.joinable()) drain_.join();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  }

  void PrintText() {
    std::printf("segue demo: history of %u simulated listeners over %u days (seed %llu): %llu events, %llu sessions, skip rate %.3f\n",
                history_.users, history_.days, static_cast<unsigned long long>(history_.seed),
                static_cast<unsigned long long>(history_.stats.events), static_cast<unsigned long long>(history_.sessions),
                history_.skip_rate());
    PrintTraining();
    std::printf("server %s: %llu tracks loaded; history replayed at %.0f events/s, ack p50 %.2f ms, p99 %.2f ms; "
                "%llu accepted, %llu duplicates, %llu rejected\n",
                address_.c_str(), static_cast<unsigned long long>(report_["catalog"]["tracks"].get<uint64_t>()),
                replay_.events_per_s, replay_.latency.p50_ms, replay_.latency.p99_ms,
                static_cast<unsigned long long>(replay_.accepted), static_cast<unsigned long long>(replay_.duplicates),
                static_cast<unsigned long long>(replay_.rejected));
    std::printf("experiment %s: shadow (triggers scored and logged, nothing pushed) vs treatment (pushed), 50/50\n", kExperiment);
    std::fputs(ClosedLoopReportToText(live_).c_str(), stdout);
    if (!experiment_text_.empty()) std::fputs(experiment_text_.c_str(), stdout);
    std::printf("dashboard: http://%s/dashboard%s\n", address_.c_str(), o_.keep ? "" : " (while the server runs: --keep)");
    std::printf("total %.1f s%s\n", report_["seconds"].get<double>(), o_.keep ? "" : "; server stopped cleanly");
  }

  // A metric of a --json report with `decimals` digits; "n/a" when it is null (undefined) or absent.
  static std::string Fixed(const nlohmann::json& v, int decimals = 3) {
    if (!v.is_number()) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v.get<double>());
    return buf;
  }

  void PrintTraining() const {
    const nlohmann::json& d = report_["train"]["disengagement"];
    const nlohmann::json& dv = d["validation"];
    std::printf("trained disengagement in %.1f s: %s train / %s validation decision points, %s epochs; validation "
                "ROC-AUC %s, PR-AUC %s; trigger threshold %s (precision %s, recall %s)\n",
                d["wall_seconds"].get<double>(), d["train_examples"].dump().c_str(), d["validation_examples"].dump().c_str(),
                d["epochs"].dump().c_str(), Fixed(dv["roc_auc"]).c_str(), Fixed(dv["pr_auc"]).c_str(),
                Fixed(d["threshold"]).c_str(), Fixed(dv["precision_at_threshold"]).c_str(),
                Fixed(dv["recall_at_threshold"]).c_str());
    const nlohmann::json& r = report_["train"]["retrieval"];
    const nlohmann::json& rv = r["validation"];
    std::printf("trained retrieval (two-tower) in %.1f s: %s tracks, %s train / %s validation pairs, best epoch %s of %s; "
                "validation recall@10 %s, @50 %s, @100 %s\n",
                r["wall_seconds"].get<double>(), r["tracks"].dump().c_str(), r["train_pairs"].dump().c_str(),
                r["validation_pairs"].dump().c_str(), r["best_epoch"].dump().c_str(), r["epochs"].dump().c_str(),
                Fixed(rv["recall@10"]).c_str(), Fixed(rv["recall@50"]).c_str(), Fixed(rv["recall@100"]).c_str());
  }

  DemoOptions o_;
  fs::path dir_;
  pid_t server_pid_ = 0;
  std::thread drain_;
  std::string address_, host_, port_;
  std::string events_;  // the replayed NDJSON (RunReplay reads it in place)
  std::unique_ptr<sim::Simulator> sim_;  // history, then live
  int64_t history_end_ms_ = 0, live_until_ms_ = 0;
  sim::SimSummary history_;
  ReplayReport replay_;
  experiments::ExperimentSpec experiment_;
  ClosedLoopReport live_;
  std::string experiment_text_;
  nlohmann::json report_ = nlohmann::json::object();
};

}  // namespace

void AddDemoCommand(CLI::App& root, CommandList& out) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* app = root.add_subcommand(
      "demo",
      "Run the whole closed loop on loopback: simulate a history of listeners, train the disengagement and\n"
      "two-tower retrieval models on it, start `segue serve` with both (free port, temporary data dir), load the\n"
      "catalog, replay the history, configure an experiment (shadow vs treatment, 50/50, PUT to the server's\n"
      "admin route), then let the same listeners go on live for --live-hours of\n"
      "event time, accelerated, each with a push stream: pushed recommendations are offered to the simulated\n"
      "listener, who plays, skips or ignores them by hidden taste. Prints exit rate and session length per\n"
      "arm with 95 % confidence intervals as measured on this side, pushes and click-through, recommendation\n"
      "quality (hidden match of offered and accepted tracks against random ones), latencies (acks, GETs,\n"
      "event -> push), the server's experiment report, and the dashboard's address. Stops the server (SIGTERM) and removes\n"
      "the temporary directory, unless --keep: then the server runs on until Ctrl-C and the files stay.");
  app->add_option("--users", o->users, "Simulated listeners (each holds a push stream while live)")
      ->check(CLI::Range(1u, 5'000u))
      ->capture_default_str();
  app->add_option("--days", o->days, "Days of history")->check(CLI::Range(1u, 30u))->capture_default_str();
  app->add_option("--live-hours", o->live_hours, "Hours of event time the listeners go on live")
      ->check(CLI::Range(0.1, 20.0))
      ->capture_default_str();
  app->add_option("--seed", o->seed, "Simulation seed")->capture_default_str();
  app->add_option("--tracks", o->tracks, "Catalog size")->check(CLI::Range(10u, 200'000u))->capture_default_str();
  app->add_option("--batch", o->batch, "Events per request when replaying the history")
      ->check(CLI::Range(size_t{1}, size_t{10'000}))
      ->capture_default_str();
  app->add_option("--connections", o->connections, "Concurrent connections when replaying the history")
      ->check(CLI::Range(size_t{1}, size_t{64}))
      ->capture_default_str();
  app->add_flag("--keep", o->keep, "Keep the server running after the report until Ctrl-C, and keep the temporary directory");
  app->add_flag("--json", o->json, "Print the report as one JSON object on stdout");
  out.push_back({app, [o] {
                   Demo demo(*o);
                   return demo.Run();
                 }});
}

}  // namespace segue::cli
