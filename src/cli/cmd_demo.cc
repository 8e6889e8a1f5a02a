// `segue demo`: the whole foundation end to end, on loopback, in a temporary directory.
//
// Steps (each reports what it measured; later issues append steps, e.g. training and scoring):
//   simulate → start server → load catalog → replay events → query sessions → stop server.
// The server is this binary (`/proc/self/exe serve --listen 127.0.0.1:0 ...`) run as a child process,
// as an operator would run it; its first stdout line names the port it got. The temporary directory
// (simulated files, the server's data dir and log) is removed at the end unless --keep is given; the
// server is stopped with SIGTERM (SIGKILL if it does not exit in time) on every path.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/time_util.h"
#include "replay/replay.h"
#include "sim/simulate_to_files.h"

namespace segue::cli {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr int64_t kDayMs = 86'400'000;

struct DemoOptions {
  uint32_t users = 300;
  uint32_t days = 2;
  uint64_t seed = 1;
  uint32_t tracks = 3000;
  size_t batch = 100;
  size_t connections = 4;
  bool keep = false;
  bool json = false;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// One blocking request on a fresh connection (the demo's few control requests; the load goes through
// the replay library).
Result<HttpResponse> HttpCall(const std::string& host, const std::string& port, http::verb verb,
                              const std::string& target, const std::string& body = "",
                              const std::string& content_type = "") {
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    tcp::resolver resolver(io);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, host + ":" + port);
    req.set(http::field::user_agent, "segue-demo");
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return HttpResponse{static_cast<int>(parser.get().result_int()), parser.get().body()};
  } catch (const std::exception& e) {
    return Status::IoError(std::string(http::to_string(verb)) + " " + target + ": " + e.what());
  }
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double SecondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

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
        {"simulate", [this] { return Simulate(); }},
        {"start server", [this] { return StartServer(); }},
        {"load catalog", [this] { return LoadCatalog(); }},
        {"replay events", [this] { return ReplayEvents(); }},
        {"query sessions", [this] { return QuerySessions(); }},
        {"stop server", [this] { return StopServerStep(); }},
    };
    const auto t0 = Clock::now();
    report_["ok"] = false;
    for (size_t i = 0; i < steps.size(); ++i) {
      std::fprintf(stderr, "demo: [%zu/%zu] %s\n", i + 1, steps.size(), steps[i].first);
      const auto step_t0 = Clock::now();
      Status s = steps[i].second();
      report_["step_seconds"][steps[i].first] = SecondsSince(step_t0);
      if (!s.ok()) {
        std::fprintf(stderr, "segue demo: %s failed: %s\n", steps[i].first, s.ToString().c_str());
        PrintServerLogTail();
        report_["error"] = std::string(steps[i].first) + ": " + s.ToString();
        if (o_.json) std::cout << report_.dump() << "\n";
        return 1;
      }
    }
    report_["ok"] = true;
    report_["seconds"] = SecondsSince(t0);
    if (o_.keep) report_["dir"] = dir_.string();
    if (o_.json) {
      std::cout << report_.dump() << "\n";
    } else {
      PrintText();
    }
    return 0;
  }

 private:
  Status Simulate() {
    char name[] = "/tmp/segue-demo-XXXXXX";
    if (!mkdtemp(name)) return Status::IoError(std::string("creating a temporary directory: ") + std::strerror(errno));
    dir_ = name;
    sim::SimConfig config;
    config.users = o_.users;
    config.days = o_.days;
    config.seed = o_.seed;
    config.catalog.tracks = o_.tracks;
    // The period ends at a UTC midnight at least two hours ago: recent (the server rejects events from
    // the future) and whole days.
    config.start_ms = (NowMs() - 2 * 3'600'000) / kDayMs * kDayMs - static_cast<int64_t>(o_.days) * kDayMs;
    config.catalog.reference_year = std::stoi(FormatRfc3339Ms(config.start_ms).substr(0, 4));
    Result<sim::SimSummary> r =
        sim::SimulateToFiles(config, (dir_ / "events.ndjson").string(), (dir_ / "tracks.ndjson").string(), nullptr);
    if (!r.ok()) return r.status();
    sim_ = *r;
    report_["simulate"] = nlohmann::json::parse(sim::SimSummaryJson(sim_));
    return Status::Ok();
  }

  Status StartServer() {
    const fs::path data = dir_ / "data", log = dir_ / "server.log";
    int out[2];
    if (pipe(out) != 0) return Status::IoError(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = fork();
    if (pid < 0) return Status::IoError(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      // Child: stdout to the pipe, stderr to the log file, then become `segue serve`.
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      FILE* err = std::fopen(log.c_str(), "w");
      if (err) dup2(fileno(err), STDERR_FILENO);
      const std::string data_arg = data.string();
      execl("/proc/self/exe", "segue", "serve", "--listen", "127.0.0.1:0", "--data-dir", data_arg.c_str(),
            "--log-level", "warn", static_cast<char*>(nullptr));
      std::fprintf(stderr, "exec /proc/self/exe: %s\n", std::strerror(errno));
      _exit(127);
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
      Result<HttpResponse> r = HttpCall(host_, port_, http::verb::get, "/readyz");
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
    auto post = [&]() -> Status {
      Result<HttpResponse> r = HttpCall(host_, port_, http::verb::post, "/v1/tracks", chunk, "application/x-ndjson");
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
    return Status::Ok();
  }

  Status QuerySessions() {
    // The first few listeners of the simulation (u000000, ...): their session state as the server has it.
    nlohmann::json sessions = nlohmann::json::array();
    int found = 0;
    for (uint32_t i = 0; i < o_.users && sessions.size() < 3; ++i) {
      char user[16];
      std::snprintf(user, sizeof user, "u%06u", i);
      Result<HttpResponse> r = HttpCall(host_, port_, http::verb::get, std::string("/v1/users/") + user + "/session");
      if (!r.ok()) return r.status();
      if (r->status == 404) continue;  // this listener never listened
      if (r->status != 200) return Status::Internal("GET session answered " + std::to_string(r->status));
      nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
      if (body.is_discarded()) return Status::Internal("GET session returned invalid JSON");
      sessions.push_back({{"user_id", user}, {"session", body}});
      ++found;
    }
    if (found == 0) return Status::Internal("no simulated listener has a session on the server");
    report_["sessions"] = sessions;
    Result<HttpResponse> m = HttpCall(host_, port_, http::verb::get, "/metrics");
    if (m.ok() && m->status == 200) {
      std::istringstream lines(m->body);
      std::string l;
      while (std::getline(lines, l)) {
        if (l.rfind("segue_sessions_active ", 0) == 0) report_["server"]["sessions_active"] = std::stod(l.substr(22));
      }
    }
    return Status::Ok();
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

  void PrintServerLogTail() {
    if (dir_.empty()) return;
    const std::string log = Slurp(dir_ / "server.log");
    if (log.empty()) return;
    std::fprintf(stderr, "--- server log (last 2 KB) ---\n%s\n", log.substr(log.size() > 2048 ? log.size() - 2048 : 0).c_str());
  }

  void PrintText() {
    std::printf("segue demo: %u simulated listeners over %u days (seed %llu): %llu events, %llu sessions, skip rate %.3f\n",
                sim_.users, sim_.days, static_cast<unsigned long long>(sim_.seed),
                static_cast<unsigned long long>(sim_.stats.events), static_cast<unsigned long long>(sim_.sessions),
                sim_.skip_rate());
    std::printf("server %s: %llu tracks loaded\n", address_.c_str(),
                static_cast<unsigned long long>(report_["catalog"]["tracks"].get<uint64_t>()));
    std::printf("ingest: %.0f events/s, ack latency p50 %.2f ms, p99 %.2f ms (batch %zu, %zu connections)\n",
                replay_.events_per_s, replay_.latency_p50_ms, replay_.latency_p99_ms, replay_.batch, replay_.connections);
    std::printf("accepted %llu, duplicates %llu, rejected %llu, failed %llu\n",
                static_cast<unsigned long long>(replay_.accepted), static_cast<unsigned long long>(replay_.duplicates),
                static_cast<unsigned long long>(replay_.rejected), static_cast<unsigned long long>(replay_.failed_events));
    for (const auto& s : report_["sessions"]) {
      const nlohmann::json& body = s["session"];
      std::printf("session of %s: %s\n", s["user_id"].get<std::string>().c_str(),
                  body.contains("counters") ? body["counters"].dump().c_str() : body.dump().substr(0, 200).c_str());
    }
    if (report_["server"].contains("sessions_active")) {
      std::printf("sessions held by the server: %.0f\n", report_["server"]["sessions_active"].get<double>());
    }
    std::printf("server stopped cleanly; total %.1f s%s\n", report_["seconds"].get<double>(),
                o_.keep ? (", files kept in " + dir_.string()).c_str() : "");
  }

  DemoOptions o_;
  fs::path dir_;
  pid_t server_pid_ = 0;
  std::thread drain_;
  std::string address_, host_, port_;
  std::string events_;  // the replayed NDJSON (RunReplay reads it in place)
  sim::SimSummary sim_;
  ReplayReport replay_;
  nlohmann::json report_ = nlohmann::json::object();
};

}  // namespace

void AddDemoCommand(CLI::App& root, CommandList& out) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* app = root.add_subcommand(
      "demo",
      "Run the pipeline end to end on loopback: simulate listeners, start `segue serve` on a free port with a\n"
      "temporary data dir, load the catalog, replay the events, query a few sessions, stop the server\n"
      "(SIGTERM) and report events/s, ack latency p50/p99, sessions, duplicates and rejections.\n"
      "The temporary directory is removed at the end (unless --keep).");
  app->add_option("--users", o->users, "Simulated listeners")->check(CLI::Range(1u, 100'000u))->capture_default_str();
  app->add_option("--days", o->days, "Days of listening")->check(CLI::Range(1u, 30u))->capture_default_str();
  app->add_option("--seed", o->seed, "Simulation seed")->capture_default_str();
  app->add_option("--tracks", o->tracks, "Catalog size")->check(CLI::Range(10u, 200'000u))->capture_default_str();
  app->add_option("--batch", o->batch, "Events per request")->check(CLI::Range(size_t{1}, size_t{10'000}))->capture_default_str();
  app->add_option("--connections", o->connections, "Concurrent connections")
      ->check(CLI::Range(size_t{1}, size_t{64}))
      ->capture_default_str();
  app->add_flag("--keep", o->keep, "Keep the temporary directory (events, catalog, server data and log)");
  app->add_flag("--json", o->json, "Print the report as one JSON object on stdout");
  out.push_back({app, [o] {
                   Demo demo(*o);
                   return demo.Run();
                 }});
}

}  // namespace segue::cli
