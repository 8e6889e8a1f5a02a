// Test helpers for running `segue serve` (SEGUE_BINARY) as a child process and talking to it over HTTP:
// a keep-alive Client and a ServerProcess that reads the bound port from the first stdout line. Shared by
// the process-level serving tests, with event builders for their request bodies.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

namespace segue::serving {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Reply {
  int status = 0;  // 0: no answer (connection refused or reset, e.g. the server died)
  std::string body;
  std::string retry_after;
};

// One keep-alive client connection; reconnects on demand.
class Client {
 public:
  explicit Client(int port) : port_(port) {}
  Reply Send(http::verb verb, const std::string& target, const std::string& body = "",
             const std::string& content_type = "application/json", const std::string& authorization = "") {
    beast::error_code ec;
    if (!stream_) {
      stream_ = std::make_unique<beast::tcp_stream>(ioc_);
      stream_->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)), ec);
      if (ec) return Drop();
    }
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(http::field::content_type, content_type);
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.body() = body;
    req.prepare_payload();
    // Asynchronous, so the 20 s deadline applies (beast's timeouts do not apply to blocking calls): a server
    // that never answers makes this a failed Reply (status 0) instead of a hung test.
    stream_->expires_after(std::chrono::seconds(20));
    http::response<http::string_body> res;
    ec = beast::error::timeout;
    http::async_write(*stream_, req, [&](beast::error_code wec, size_t) {
      if (wec) {
        ec = wec;
        return;
      }
      http::async_read(*stream_, buffer_, res, [&](beast::error_code rec, size_t) { ec = rec; });
    });
    ioc_.restart();
    ioc_.run();
    if (ec) return Drop();
    Reply r{static_cast<int>(res.result_int()), res.body(), std::string(res[http::field::retry_after])};
    if (!res.keep_alive()) stream_.reset();
    return r;
  }

 private:
  Reply Drop() {
    stream_.reset();
    buffer_.clear();
    return {};
  }
  int port_;
  net::io_context ioc_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

class ServerProcess {
 public:
  pid_t pid() const { return pid_; }
  ServerProcess(const std::string& data_dir, const std::string& config, const std::string& stderr_path) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      FILE* err = std::fopen(stderr_path.c_str(), "a");
      if (err) dup2(fileno(err), STDERR_FILENO);
      close(out[0]);
      execl(SEGUE_BINARY, SEGUE_BINARY, "serve", "--data-dir", data_dir.c_str(), "--listen", "127.0.0.1:0",
            "--config", config.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    // The first stdout line is "listening on 127.0.0.1:PORT".
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    first_line_ = line;
    size_t colon = line.rfind(':');
    if (line.rfind("listening on ", 0) == 0 && colon != std::string::npos) port_ = std::stoi(line.substr(colon + 1));
  }
  ~ServerProcess() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  const std::string& first_line() const { return first_line_; }
  // Polls GET /readyz until it answers `status` or `timeout` passes; returns the last reply.
  Reply WaitReadyz(int status, std::chrono::seconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Reply r;
    while (std::chrono::steady_clock::now() < deadline) {
      r = Client(port_).Send(http::verb::get, "/readyz");
      if (r.status == status) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return r;
  }
  // False once the process has exited (its wait status is then exit_status()).
  bool Alive() {
    if (reaped_) return false;
    if (waitpid(pid_, &exit_status_, WNOHANG) == 0) return true;
    reaped_ = true;
    return false;
  }
  int exit_status() const { return exit_status_; }
  bool WaitReady() {
    Client c(port_);
    for (int i = 0; i < 600; ++i) {
      if (c.Send(http::verb::get, "/readyz").status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // Sends `sig` and returns the wait status.
  int Signal(int sig) {
    if (reaped_) return exit_status_;
    kill(pid_, sig);
    waitpid(pid_, &exit_status_, 0);
    reaped_ = true;
    return exit_status_;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool reaped_ = false;
  int exit_status_ = 0;
  std::string first_line_;
};

inline std::string EventJson(const std::string& id, const std::string& user, const std::string& type, int64_t ts,
                      const std::string& track) {
  std::string s = R"({"event_id":")" + id + R"(","user_id":")" + user + R"(","type":")" + type +
                  R"(","ts":)" + std::to_string(ts);
  if (!track.empty()) s += R"(,"track_id":")" + track + "\"";
  return s + "}";
}

// A deterministic stream of events for `user`: plays, skips and completes, one second apart.
inline std::vector<std::pair<std::string, std::string>> UserEvents(const std::string& user, int n, int64_t base_ms) {
  static const char* kTypes[] = {"play", "skip", "play", "complete", "play", "pause", "resume", "skip"};
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < n; ++i) {
    std::string id = user + "-e" + std::to_string(i);
    std::string type = kTypes[i % 8];
    std::string track = (type == "pause" || type == "resume") ? "" : "trk" + std::to_string(i / 2 % 7);
    out.emplace_back(id, EventJson(id, user, type, base_ms + i * 1000, track));
  }
  return out;
}

// The resident set size of a process in bytes (0 when it cannot be read).
inline size_t ResidentBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // "VmRSS:   123 kB"
  }
  return 0;
}

}  // namespace segue::serving
