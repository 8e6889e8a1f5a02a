// Asynchronous HTTP/1.1 server on Boost.Beast: a listener plus one session object per connection, with
// keep-alive and no pipelining (the next request is read only after the previous response was written).
//
// Bounded everywhere, so a hostile or broken client cannot exhaust the server:
//  - request header size (header_limit → 431) and body size (body_limit → 413), both enforced by the
//    parser while reading, before the bytes are buffered;
//  - at most max_connections open connections: an excess connection gets a 503 and is closed;
//  - idle_timeout bounds the wait for (and the reading of) a request header, body_timeout the reading of
//    a body, write_timeout the writing of a response; on expiry the connection is closed.
//    Slow-loris clients therefore hold a connection for at most idle_timeout + body_timeout.
//  - while a request is in the handler, the connection reads nothing more (one request in flight each).
//
// Every request goes to the single HttpHandler (see router.h); its ResponseCallback may be called from any
// thread: the response is posted back onto the connection's strand.
//
// Thread-safety: the io_context may be run by several threads; each connection is serialised by its own
// strand. Start/Stop may be called from any thread. The server must outlive the io_context's run() calls.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/status.h"
#include "serving/http_message.h"

namespace segue::serving {

struct HttpServerOptions {
  size_t body_limit = 8u << 20;     // bytes; larger bodies get 413
  size_t header_limit = 16u << 10;  // bytes; larger headers get 431
  size_t max_connections = 1024;    // excess connections get 503
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
};

struct HttpServerStats {
  std::atomic<int64_t> open_connections{0};
  std::atomic<uint64_t> accepted_connections{0};
  std::atomic<uint64_t> rejected_connections{0};  // over max_connections
  std::atomic<uint64_t> timed_out_connections{0};
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Returns the bound endpoint (port 0 picks a free port).
  Result<boost::asio::ip::tcp::endpoint> Listen(const boost::asio::ip::tcp::endpoint& endpoint);

  // Stops accepting, and closes connections that are waiting for a request. Connections with a request
  // in flight finish it (the response is sent with "Connection: close") and then close.
  void Stop();

  const HttpServerStats& stats() const;

  struct State;  // shared with the connections (they may outlive a stopped server briefly)

 private:
  std::shared_ptr<State> state_;
};

// Parses "HOST:PORT" (IPv4, [IPv6] or a name resolving on this host) into an endpoint.
Result<boost::asio::ip::tcp::endpoint> ParseListenAddress(const std::string& host_port);

}  // namespace segue::serving
