// Asynchronous HTTP/1.1 server on Boost.Beast: a listener plus one session object per connection, with
// keep-alive and no pipelining (the next request is read only after the previous response was written).
//
// Bounded everywhere, so a hostile or broken client cannot exhaust the server:
//  - request header size (header_limit → 431) and body size (body_limit → 413), both enforced by the
//    parser while reading, before the bytes are buffered; a gzip body (Content-Encoding) is held to
//    body_limit after decoding too (413);
//  - all bodies being read or handled together hold at most max_buffered_body_bytes: a request whose
//    body does not fit gets 503 with Retry-After and the connection is closed (the body is not read);
//  - connections are admitted by ConnectionAdmission (connection_admission.h): at most max_connections
//    data connections, at most max_connections_per_client of them from one address, and beyond that a
//    reserve of probe_reserve_connections that serve only the probe paths (/healthz, /readyz) so
//    liveness and readiness probes answer while the data connections are exhausted;
//  - idle_timeout bounds the wait for (and the reading of) a request header, body_timeout the reading of
//    a body, write_timeout the writing of a response; on expiry the connection is closed.
//    Slow-loris clients therefore hold a connection for at most idle_timeout + body_timeout.
//  - while a request is in the handler, the connection reads nothing more (one request in flight each).
//
// Framing follows RFC 9112 (http_framing.h): a request whose body length is ambiguous (a Transfer-Encoding
// other than a single final "chunked", both Transfer-Encoding and Content-Length, a chunked body with
// bare LF line endings) is answered 400/501 and its connection closed, so no byte of it can be read as a
// further request. Every response the server makes itself, without a handler, closes the connection.
// HEAD requests are routed as GET by the Router; the server sends the GET response's headers without
// its body. Absolute-form targets ("http://host/path") are reduced to their path before routing.
//
// Every request goes to the single HttpHandler (see router.h); its ResponseCallback may be called from any
// thread: the response is posted back onto the connection's strand.
//
// A response with a MessageStream (message_stream.h) does not end the request: the connection is handed
// to a stream session (stream_session.h) that writes Server-Sent Events, or accepts the WebSocket upgrade
// when the request was one, until the stream or the client ends it. It keeps its data connection slot;
// each write is held to write_timeout (a WebSocket to its ping timeout); Stop closes it.
//
// Metrics (registered in the registry given to the constructor): open, accepted, refused and timed-out
// connections, probe connections, buffered body bytes, and requests the server refused itself by status.
//
// Thread-safety: the io_context may be run by several threads; each connection is serialised by its own
// strand. Start/Stop may be called from any thread. The server must outlive the io_context's run() calls.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/metrics.h"
#include "common/status.h"
#include "serving/http_message.h"

namespace segue::serving {

struct HttpServerOptions {
  size_t body_limit = 8u << 20;     // bytes; larger bodies get 413
  size_t header_limit = 16u << 10;  // bytes; larger headers get 431
  size_t max_buffered_body_bytes = 256u << 20;  // all bodies in flight together; beyond it 503
  size_t max_connections = 1024;    // data connections; beyond them (or the per-client cap) the reserve
  size_t max_connections_per_client = 128;  // data connections per client address; 0 = unlimited
  size_t probe_reserve_connections = 16;    // extra connections that may only carry probe requests
  std::vector<std::string> probe_paths = {"/healthz", "/readyz"};
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
};

struct HttpServerStats {
  std::atomic<int64_t> open_connections{0};   // data connections
  std::atomic<int64_t> probe_connections{0};  // reserve connections (probe requests only)
  std::atomic<uint64_t> accepted_connections{0};
  std::atomic<uint64_t> rejected_connections{0};  // answered 503 at accept: no data slot and no reserve
  std::atomic<uint64_t> timed_out_connections{0};
  std::atomic<uint64_t> refused_requests{0};      // answered by the server itself (4xx/5xx, no handler)
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, HttpServerOptions options, HttpHandler handler,
             metrics::Registry& registry);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Returns the bound endpoint (port 0 picks a free port).
  Result<boost::asio::ip::tcp::endpoint> Listen(const boost::asio::ip::tcp::endpoint& endpoint);

  // Stops accepting, and closes connections that are waiting for a request and streams (a WebSocket gets a
  // close frame). Connections with a request in flight finish it (the response is sent with "Connection:
  // close") and then close.
  void Stop();

  const HttpServerStats& stats() const;
  // Bytes of request bodies currently reserved against max_buffered_body_bytes.
  size_t buffered_body_bytes() const;

  struct State;  // shared with the connections (they may outlive a stopped server briefly)

 private:
  std::shared_ptr<State> state_;
};

// Parses "HOST:PORT" (IPv4, [IPv6] or a name resolving on this host) into an endpoint.
Result<boost::asio::ip::tcp::endpoint> ParseListenAddress(const std::string& host_port);

}  // namespace segue::serving
