// `segue demo`: the whole system end to end, on loopback, in a temporary directory.
//
// Steps (each reports what it measured):
//   simulate → train disengagement → train retrieval → start server (with both models) → load catalog →
//   replay events → query sessions → skip burst (until a push) → query recommendations → stop server.
// Training and serving are this binary run as child processes, as an operator would run them:
// `/proc/self/exe train disengagement|retrieval ... --json` (the report keeps their JSON), then
// `/proc/self/exe serve --listen 127.0.0.1:0 --models DIR --config segue.toml` (two-tower retriever),
// whose first stdout line names the port it got. The skip-burst step opens one simulated listener's push
// stream (SSE), posts a completed play and then skips, one event per request with times just before now,
// until the disengagement trigger pushes recommendations; the step fails when none arrives or when an
// item was played in that session. The temporary directory (simulated files, models, the server's data
// dir and logs) is removed at the end unless --keep is given; the server is stopped with SIGTERM
// (SIGKILL if it does not exit in time) on every path.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
#include <map>
#include <memory>
#include <set>
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
#include "replay/sse_client.h"
#include "sim/simulate_to_files.h"

namespace segue::cli {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr int64_t kDayMs = 86'400'000;
constexpr int kMaxSkips = 10;                          // skips posted before the push step gives up
constexpr auto kPushWait = std::chrono::seconds(3);    // wait for a push after each skip
constexpr auto kCompletedPlayWait = std::chrono::seconds(1);

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

// "artist — title" of each catalog track, for printing recommendations.
std::map<std::string, std::string> TrackNames(const fs::path& catalog) {
  std::map<std::string, std::string> names;
  std::ifstream in(catalog);
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json t = nlohmann::json::parse(line, nullptr, false);
    if (t.is_discarded() || !t.contains("id")) continue;
    names[t["id"].get<std::string>()] = t.value("artist", "?") + " \u2014 " + t.value("title", "?");
  }
  return names;
}

// The tracks `user` played in `events` (NDJSON), most played first: the skip burst replays their
// favourites, exactly what a retriever would propose again if the session filter let it.
std::vector<std::string> FavouriteTracks(const std::string& events, const std::string& user) {
  std::map<std::string, int> plays;
  std::istringstream lines(events);
  std::string line;
  const std::string needle = "\"user_id\":\"" + user + "\"";
  while (std::getline(lines, line)) {
    if (line.find(needle) == std::string::npos) continue;
    const nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.value("type", "") == "play" && e.contains("track_id")) ++plays[e["track_id"].get<std::string>()];
  }
  std::vector<std::pair<int, std::string>> order;
  for (const auto& [track, n] : plays) order.emplace_back(-n, track);
  std::sort(order.begin(), order.end());
  std::vector<std::string> tracks;
  for (const auto& [n, track] : order) tracks.push_back(track);
  return tracks;
}

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
        {"train disengagement", [this] { return TrainDisengagement(); }},
        {"train retrieval", [this] { return TrainRetrieval(); }},
        {"start server", [this] { return StartServer(); }},
        {"load catalog", [this] { return LoadCatalog(); }},
        {"replay events", [this] { return ReplayEvents(); }},
        {"query sessions", [this] { return QuerySessions(); }},
        {"skip burst", [this] { return SkipBurst(); }},
        {"query recommendations", [this] { return QueryRecommendations(); }},
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
        if (!dir_.empty()) PrintLogTail(dir_ / "server.log", "server log");
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

  // The server's config: the two-tower retriever from the bundle trained above.
  Status WriteServerConfig() {
    std::ofstream config(dir_ / "segue.toml");
    config << "[recommend]\nretriever = \"two_tower\"\nretrieval_models_dir = \"" << (dir_ / "models" / "retrieval").string()
           << "\"\n";
    return config.good() ? Status::Ok() : Status::IoError("writing " + (dir_ / "segue.toml").string());
  }

  Status StartServer() {
    if (Status s = WriteServerConfig(); !s.ok()) return s;
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

  // The first listener queried above, with their push stream open: a completed play of their favourite
  // track, then plays of their next favourites each skipped after 4 s, every event in its own request
  // (times just before now, after the simulated period), until the disengagement trigger pushes.
  Status SkipBurst() {
    const std::string user = report_["sessions"][0]["user_id"];
    names_ = TrackNames(dir_ / "tracks.ndjson");
    std::vector<std::string> tracks = FavouriteTracks(events_, user);
    for (auto it = names_.begin(); it != names_.end() && tracks.size() <= kMaxSkips; ++it) {
      if (std::find(tracks.begin(), tracks.end(), it->first) == tracks.end()) tracks.push_back(it->first);
    }
    if (tracks.size() <= kMaxSkips) return Status::Internal("the catalog has too few tracks for the skip burst");
    Result<std::unique_ptr<SseClient>> sse = SseClient::Open(host_, port_, "/v1/users/" + user + "/stream");
    if (!sse.ok()) return sse.status();

    int64_t ts = NowMs() - 10 * 60'000;
    int sequence = 0;
    auto post = [&](const char* type, const std::string& track) -> Status {
      const nlohmann::json event = {{"event_id", "demo-" + user + "-" + std::to_string(sequence++)},
                                    {"user_id", user}, {"type", type}, {"ts", ts}, {"track_id", track}};
      Result<HttpResponse> r = HttpCall(host_, port_, http::verb::post, "/v1/events", "[" + event.dump() + "]", "application/json");
      if (!r.ok()) return r.status();
      if (r->status != 202) return Status::Internal("POST /v1/events answered " + std::to_string(r->status) + ": " + r->body);
      played_.insert(track);
      return Status::Ok();
    };
    if (Status s = post("play", tracks[0]); !s.ok()) return s;
    ts += 180'000;
    if (Status s = post("complete", tracks[0]); !s.ok()) return s;
    // A push already here was not caused by a skip: reported as fired after 0 skips.
    if (Result<SseEvent> early = (*sse)->Next(kCompletedPlayWait); early.ok()) return CheckPush(user, *early, 0, 0);
    for (int skips = 1; skips <= kMaxSkips; ++skips) {
      ts += 1'000;
      if (Status s = post("play", tracks[static_cast<size_t>(skips)]); !s.ok()) return s;
      ts += 4'000;
      const auto sent = Clock::now();
      if (Status s = post("skip", tracks[static_cast<size_t>(skips)]); !s.ok()) return s;
      Result<SseEvent> event = (*sse)->Next(kPushWait);
      if (event.ok()) return CheckPush(user, *event, skips, 1000 * SecondsSince(sent));
      if (event.status().code() != StatusCode::kDeadlineExceeded) return event.status();
    }
    return Status::Unavailable("no recommendations pushed after " + std::to_string(kMaxSkips) + " skips (" + TriggerState(user) +
                               "; a model trained on a much smaller history than the defaults may score every "
                               "decision point above its threshold, so its trigger never re-arms)");
  }

  // The listener's last disengagement score and trigger as the server reports them, for the error above.
  std::string TriggerState(const std::string& user) {
    Result<HttpResponse> r = HttpCall(host_, port_, http::verb::get, "/v1/users/" + user + "/session");
    const nlohmann::json body = r.ok() ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json();
    if (!body.is_object()) return "session unavailable";
    const double threshold = report_["train"]["disengagement"].value("threshold", 0.0);
    return "last score " + Fixed(body.value("disengagement_score", nlohmann::json())) + ", threshold " + Fixed(threshold) +
           ", last trigger " + body.value("last_trigger", nlohmann::json()).dump();
  }

  // The pushed recommendation into the report; fails when it is empty or repeats a track of the session.
  Status CheckPush(const std::string& user, const SseEvent& event, int skips, double latency_ms) {
    if (event.event != "recommendations") return Status::Internal("unexpected push event '" + event.event + "'");
    const nlohmann::json push = nlohmann::json::parse(event.data, nullptr, false);
    if (push.is_discarded() || !push.contains("items")) return Status::Internal("not a recommendation: " + event.data.substr(0, 200));
    nlohmann::json& out = report_["push"];
    out = {{"user_id", user},
           {"skips", skips},
           {"trigger_score", push.value("trigger_score", nlohmann::json())},
           {"rec_id", push.value("rec_id", "")},
           {"source", push.value("source", "")},
           {"model_versions", push.value("model_versions", nlohmann::json::object())},
           {"took_ms", push.value("took_ms", nlohmann::json())},
           {"event_to_push_ms", latency_ms},
           {"played_in_session", played_}};
    return CheckItems(push["items"], &out);
  }

  // Items with their catalog names into `out`; none may have been played in the session.
  Status CheckItems(const nlohmann::json& items, nlohmann::json* out) {
    nlohmann::json named = nlohmann::json::array(), repeated = nlohmann::json::array();
    for (const nlohmann::json& item : items) {
      const std::string id = item.value("track_id", "");
      const auto name = names_.find(id);
      named.push_back({{"track_id", id}, {"score", item.value("score", 0.0)}, {"name", name == names_.end() ? "" : name->second},
                       {"reasons", item.value("reasons", nlohmann::json::array())}});
      if (played_.count(id)) repeated.push_back(id);
    }
    (*out)["items"] = std::move(named);
    (*out)["played_recommended"] = repeated;
    if (items.empty()) return Status::Internal("the recommendation has no items");
    if (!repeated.empty()) return Status::Internal("recommended tracks played in the session: " + repeated.dump());
    return Status::Ok();
  }

  Status QueryRecommendations() {
    const std::string user = report_["push"]["user_id"];
    const auto t0 = Clock::now();
    Result<HttpResponse> r = HttpCall(host_, port_, http::verb::get, "/v1/users/" + user + "/recommendations?k=5&explain=true");
    if (!r.ok()) return r.status();
    if (r->status != 200) return Status::Internal("GET recommendations answered " + std::to_string(r->status) + ": " + r->body);
    const nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
    if (body.is_discarded() || !body.contains("items")) return Status::Internal("GET recommendations: " + r->body.substr(0, 200));
    nlohmann::json& out = report_["recommendations"];
    out = {{"user_id", user},
           {"source", body.value("source", "")},
           {"model_versions", body.value("model_versions", nlohmann::json::object())},
           {"took_ms", body.value("took_ms", nlohmann::json())},
           {"round_trip_ms", 1000 * SecondsSince(t0)}};
    return CheckItems(body["items"], &out);
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
    std::printf("segue demo: %u simulated listeners over %u days (seed %llu): %llu events, %llu sessions, skip rate %.3f\n",
                sim_.users, sim_.days, static_cast<unsigned long long>(sim_.seed),
                static_cast<unsigned long long>(sim_.stats.events), static_cast<unsigned long long>(sim_.sessions),
                sim_.skip_rate());
    PrintTraining();
    std::printf("server %s: %llu tracks loaded\n", address_.c_str(),
                static_cast<unsigned long long>(report_["catalog"]["tracks"].get<uint64_t>()));
    std::printf("ingest: %.0f events/s, ack latency p50 %.2f ms, p99 %.2f ms (batch %zu, %zu connections)\n",
                replay_.events_per_s, replay_.latency.p50_ms, replay_.latency.p99_ms, replay_.batch, replay_.connections);
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
    PrintRecommendations();
    std::printf("server stopped cleanly; total %.1f s%s\n", report_["seconds"].get<double>(),
                o_.keep ? (", files kept in " + dir_.string()).c_str() : "");
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

  void PrintRecommendations() const {
    const nlohmann::json& p = report_["push"];
    std::printf("skip burst of %s: the trigger fired after %d skip(s) (score %s); pushed %s (source %s, models %s) "
                "%.1f ms after the skip was sent:\n",
                p["user_id"].get<std::string>().c_str(), p["skips"].get<int>(), Fixed(p["trigger_score"]).c_str(),
                p["rec_id"].get<std::string>().c_str(), p["source"].get<std::string>().c_str(),
                p["model_versions"].dump().c_str(), p["event_to_push_ms"].get<double>());
    PrintItems(p["items"]);
    std::printf("none of the %zu pushed tracks was played in the session (%zu tracks played)\n", p["items"].size(),
                p["played_in_session"].size());
    const nlohmann::json& r = report_["recommendations"];
    std::printf("GET /v1/users/%s/recommendations?k=5&explain=true: source %s, took %s ms (round trip %.1f ms)\n",
                r["user_id"].get<std::string>().c_str(), r["source"].get<std::string>().c_str(), Fixed(r["took_ms"], 2).c_str(),
                r["round_trip_ms"].get<double>());
    PrintItems(r["items"]);
  }

  static void PrintItems(const nlohmann::json& items) {
    for (const nlohmann::json& item : items) {
      std::printf("  %-10s %.4f  %s\n", item["track_id"].get<std::string>().c_str(), item["score"].get<double>(),
                  item["name"].get<std::string>().c_str());
    }
  }

  DemoOptions o_;
  fs::path dir_;
  pid_t server_pid_ = 0;
  std::thread drain_;
  std::string address_, host_, port_;
  std::string events_;  // the replayed NDJSON (RunReplay reads it in place)
  std::map<std::string, std::string> names_;  // catalog track id → "artist — title"
  std::set<std::string> played_;              // tracks of the skip-burst session
  sim::SimSummary sim_;
  ReplayReport replay_;
  nlohmann::json report_ = nlohmann::json::object();
};

}  // namespace

void AddDemoCommand(CLI::App& root, CommandList& out) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* app = root.add_subcommand(
      "demo",
      "Run the system end to end on loopback: simulate listeners, train the disengagement and two-tower\n"
      "retrieval models on them, start `segue serve` with both on a free port with a temporary data dir, load\n"
      "the catalog, replay the events, query a few sessions, drive one listener's skip burst until the trigger\n"
      "pushes recommendations to their SSE stream, query their recommendations, stop the server (SIGTERM) and\n"
      "report training metrics, events/s, ack latency p50/p99, sessions, duplicates, rejections, the pushed\n"
      "items and the event-to-push latency.\n"
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
