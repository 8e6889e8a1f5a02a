// A test fixture that runs an HttpServer on loopback with two I/O threads, and a blocking Beast client to
// talk to it with raw bytes. Shared by the HTTP server's test files.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "common/metrics.h"
#include "serving/http_server.h"

namespace segue::serving {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class HttpServerTest : public ::testing::Test {
 protected:
  // Answers {"echo":<body size>} from another thread, as the log's committer does. TearDown joins those
  // threads: a detached one could still hold its request's callback, and with it the last reference to the
  // connection, when the fixture's io_context is gone; the connection then touched freed memory (ASan
  // heap-use-after-free in the exiting process, whose report hung ExcessConnectionsGet503 under ctest -j2).
  HttpHandler Echo() {
    return [this](HttpRequest req, ResponseCallback done) {
      std::lock_guard lock(handler_threads_mu_);
      handler_threads_.emplace_back([req = std::move(req), done = std::move(done)] {
        done(JsonResponse(200, "{\"echo\":" + std::to_string(req.body.size()) + "}"));
      });
    };
  }
  void Start(HttpServerOptions options) { Start(std::move(options), Echo()); }
  void Start(HttpServerOptions options, HttpHandler handler) {
    server_ = std::make_unique<HttpServer>(ioc_, options, std::move(handler), registry_);
    auto ep = server_->Listen(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    ASSERT_TRUE(ep.ok()) << ep.status().ToString();
    endpoint_ = *ep;
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    JoinHandlerThreads();
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }

  std::unique_ptr<beast::tcp_stream> Connect() {
    auto s = std::make_unique<beast::tcp_stream>(client_ioc_);
    s->connect(endpoint_);
    return s;
  }
  // Sends raw bytes and reads one response (empty optional on EOF/error).
  std::optional<http::response<http::string_body>> Exchange(beast::tcp_stream& s, const std::string& raw) {
    beast::error_code ec;
    if (!raw.empty()) net::write(s.socket(), net::buffer(raw), ec);
    return Read(s);
  }
  std::optional<http::response<http::string_body>> Read(beast::tcp_stream& s) {
    http::response<http::string_body> res;
    if (ReadInto(s, res)) return std::nullopt;
    return res;
  }
  // Reads one response (a message or a parser) and returns how the read ended. The client's deadline (an
  // async read: beast's timeouts do not apply to blocking reads) ends it with beast::error::timeout, so a
  // server that never answers or never closes fails the test instead of hanging it, and cannot pass for
  // "closed". Every read of these tests goes through here or another async read with a deadline.
  template <class Response>
  beast::error_code ReadInto(beast::tcp_stream& s, Response& res) {
    beast::error_code result = beast::error::timeout;
    s.expires_after(std::chrono::seconds(5));
    http::async_read(s, buffer_, res, [&result](beast::error_code ec, size_t) { result = ec; });
    client_ioc_.restart();
    client_ioc_.run();
    return result;
  }
  // True only when the server closed the connection: end of stream, or a reset when the server closed
  // with bytes of ours unread. The client's own deadline expiring is not that.
  bool ClosedByServer(beast::tcp_stream& s) {
    http::response<http::string_body> res;
    beast::error_code ec = ReadInto(s, res);
    return ec == http::error::end_of_stream || ec == net::error::connection_reset;
  }
  void ExpectClosedByServer(beast::tcp_stream& s) { EXPECT_TRUE(ClosedByServer(s)); }
  void JoinHandlerThreads() {
    while (true) {
      std::vector<std::thread> threads;
      {
        std::lock_guard lock(handler_threads_mu_);
        threads.swap(handler_threads_);
      }
      if (threads.empty()) return;
      for (auto& t : threads) t.join();
    }
  }
  void WaitForOpen(int64_t n) {
    for (int i = 0; i < 500 && server_->stats().open_connections.load() != n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(server_->stats().open_connections.load(), n);
  }

  metrics::Registry registry_;  // outlives server_: its callbacks read the server's state
  net::io_context ioc_;
  // Keeps the server's threads running while no I/O is pending (a handler holding a request after Stop),
  // as the signal set does in RunServer.
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(ioc_);
  net::io_context client_ioc_;
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
  tcp::endpoint endpoint_;
  beast::flat_buffer buffer_;
  std::mutex handler_threads_mu_;
  std::vector<std::thread> handler_threads_;  // Echo's, joined in TearDown
};

inline std::string Post(size_t body_size, bool keep_alive = true) {
  return "POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body_size) + "\r\n" + (keep_alive ? "" : "Connection: close\r\n") + "\r\n" +
         std::string(body_size, 'a');
}

}  // namespace segue::serving
