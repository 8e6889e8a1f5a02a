// A tiny blocking HTTP/1.1 server on 127.0.0.1 that plays the part of `POST /v1/events` (and of GET routes,
// for --read) for the replay tests: one thread per connection, answers decided by handlers. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace segue::replay_testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Answer {
  http::status status = http::status::accepted;
  std::string body;
  bool close = false;
};

// `handler` gets the request number (from 0, in arrival order) and the non-blank lines of the body.
class FakeIngestServer {
 public:
  using Handler = std::function<Answer(size_t request, const std::vector<std::string>& lines)>;

  explicit FakeIngestServer(Handler handler)
      : handler_(std::move(handler)), acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~FakeIngestServer() {
    stopping_ = true;
    beast::error_code ec;
    // Wake the blocking accept with a connection of our own.
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);
    accept_thread_.join();
    for (std::thread& t : connection_threads_) t.join();
  }

  std::string target() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }
  // The non-blank lines each accepted connection delivered, in arrival order, by connection (accept order).
  std::vector<std::vector<std::string>> lines_by_connection() {
    std::lock_guard lock(mu_);
    return lines_by_connection_;
  }
  size_t connections() const { return connections_; }

  // GET requests are answered by `handler` (set before any arrives) and their targets recorded.
  void OnGet(std::function<Answer(const std::string& target)> handler) { get_handler_ = std::move(handler); }
  std::vector<std::string> get_targets() {
    std::lock_guard lock(mu_);
    return get_targets_;
  }

  // The usual 202 for a batch: every line accepted.
  static Answer AcceptAll(size_t, const std::vector<std::string>& lines) {
    return {http::status::accepted,
            R"({"accepted":)" + std::to_string(lines.size()) + R"(,"duplicates":0,"rejected":[]})"};
  }

 private:
  void AcceptLoop() {
    while (true) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      const size_t index = connections_++;
      {
        std::lock_guard lock(mu_);
        lines_by_connection_.emplace_back();
      }
      connection_threads_.emplace_back([this, index, s = std::move(socket)]() mutable { Serve(index, std::move(s)); });
    }
  }

  void Serve(size_t index, tcp::socket socket) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      if (req.method() == http::verb::get) {
        const std::string target(req.target());
        {
          std::lock_guard lock(mu_);
          get_targets_.push_back(target);
        }
        if (!Write(socket, get_handler_(target))) return;
        continue;
      }
      std::vector<std::string> lines;
      size_t start = 0;
      const std::string& body = req.body();
      while (start < body.size()) {
        size_t end = body.find('\n', start);
        if (end == std::string::npos) end = body.size();
        std::string line = body.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(line);
        start = end + 1;
      }
      Answer answer;
      {
        std::lock_guard lock(mu_);
        EXPECT_EQ(req.method(), http::verb::post);
        EXPECT_EQ(req.target(), "/v1/events");
        EXPECT_EQ(req[http::field::content_type], "application/x-ndjson");
        answer = handler_(requests_++, lines);
        lines_.insert(lines_.end(), lines.begin(), lines.end());
        lines_by_connection_[index].insert(lines_by_connection_[index].end(), lines.begin(), lines.end());
      }
      if (!Write(socket, answer)) return;
    }
  }

  // False when the connection is done (write failed, or the answer closes it).
  static bool Write(tcp::socket& socket, const Answer& answer) {
    http::response<http::string_body> res(answer.status, 11);
    res.set(http::field::content_type, "application/json");
    res.body() = answer.body;
    res.keep_alive(!answer.close);
    res.prepare_payload();
    beast::error_code ec;
    http::write(socket, res, ec);
    return !ec && !answer.close;
  }

  Handler handler_;
  std::function<Answer(const std::string&)> get_handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> connections_{0};
  std::mutex mu_;
  size_t requests_ = 0;
  std::vector<std::string> lines_;
  std::vector<std::string> get_targets_;
  std::vector<std::vector<std::string>> lines_by_connection_;
};

}  // namespace segue::replay_testing
