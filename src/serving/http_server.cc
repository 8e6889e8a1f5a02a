#include "serving/http_server.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "serving/byte_budget.h"
#include "serving/connection_admission.h"
#include "serving/content_coding.h"
#include "serving/http_framing.h"
#include "serving/stream_session.h"

namespace segue::serving {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Connection;

namespace {

// A chunk-size line or trailer section longer than this, still unfinished, is refused: Beast would
// otherwise buffer it until the body timeout.
constexpr size_t kMaxUnparsedChunkBytes = 64u << 10;
// Reservations for chunked bodies grow in steps of at least this much, not per read.
constexpr size_t kChunkedReserveStep = 64u << 10;
// A probe connection gets at most this long to send its request.
constexpr std::chrono::milliseconds kProbeTimeout{5'000};

}  // namespace

struct HttpServer::State {
  State(net::io_context& c, HttpServerOptions o, HttpHandler h, metrics::Registry& registry)
      : ioc(c),
        options(std::move(o)),
        handler(std::move(h)),
        admission({options.max_connections, options.max_connections_per_client, options.probe_reserve_connections}),
        body_budget(options.max_buffered_body_bytes),
        refused(registry.AddCounterFamily("segue_http_requests_refused_total",
                                          "Requests answered by the HTTP server itself, before any route: "
                                          "malformed or ambiguous framing, limits, unsupported codings, "
                                          "no buffer budget, non-probe requests on a probe connection.",
                                          {"status"})),
        refused_connections(registry.AddCounterFamily(
            "segue_http_connections_rejected_total",
            "Connections answered 503 and closed at accept (no data slot and no probe reserve left), by "
            "the reason they got no data slot (max_connections, per_client).",
            {"reason"})),
        acceptor(net::make_strand(c)),
        retry_timer(acceptor.get_executor()) {}

  net::io_context& ioc;
  const HttpServerOptions options;
  const HttpHandler handler;
  HttpServerStats stats;
  ConnectionAdmission admission;
  ByteBudget body_budget;
  metrics::CounterFamily& refused;
  metrics::CounterFamily& refused_connections;
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;  // backs off after accept errors such as EMFILE instead of spinning
  std::atomic<bool> stopping{false};

  std::mutex mu;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;  // to close idle ones on Stop
};

namespace {

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

HttpResponse Overloaded(std::string message) {
  HttpResponse r = JsonError(503, message);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Kind = ConnectionAdmission::Kind;

  Connection(tcp::socket socket, std::shared_ptr<HttpServer::State> state, Kind kind, net::ip::address client)
      : stream_(std::move(socket)), state_(std::move(state)), kind_(kind), client_(std::move(client)) {
    if (kind_ == Kind::kData) state_->stats.open_connections.fetch_add(1, std::memory_order_relaxed);
    if (kind_ == Kind::kProbe) state_->stats.probe_connections.fetch_add(1, std::memory_order_relaxed);
  }
  ~Connection() {
    ReleaseBudget();
    if (kind_ == Kind::kRefused) return;
    state_->admission.Release(kind_, client_);
    (kind_ == Kind::kData ? state_->stats.open_connections : state_->stats.probe_connections)
        .fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard lock(state_->mu);
    state_->connections.erase(id_);
  }

  void Start() {
    if (kind_ == Kind::kRefused) {
      net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        self->Write(Overloaded("too many open connections; retry later"), /*close=*/true);
      });
      return;
    }
    {
      std::lock_guard lock(state_->mu);
      id_ = state_->next_id++;
      state_->connections.emplace(id_, weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Runs on the strand: a connection waiting for its next request is closed, and so is a stream; one with
  // a request in flight answers it with "Connection: close" (see Write).
  void CloseIfIdle() {
    if (auto session = stream_session_.lock()) return session->Close();
    if (waiting_for_header_) Close();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  const HttpServerOptions& options() const { return state_->options; }

  void ReadHeader() {
    if (state_->stopping.load()) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options().header_limit));
    parser_->body_limit(options().body_limit);
    stream_.expires_after(kind_ == Kind::kProbe ? std::min(options().idle_timeout, kProbeTimeout)
                                                : options().idle_timeout);
    waiting_for_header_ = true;
    head_ = false;  // a refusal before the next header is parsed answers with a body
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    waiting_for_header_ = false;
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    version_ = header.version();
    head_ = header.method() == http::verb::head;
    if (std::optional<HttpResponse> refusal = CheckHeader(); refusal) return Refuse(std::move(*refusal));
    if (parser_->is_done()) return OnBody({}, 0);
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // Clients that wait for 100 Continue (curl does for large bodies) would otherwise stall a second.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
      stream_.expires_after(options().write_timeout);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  // What the header alone decides: framing, probe-only connections, codings, the body budget.
  std::optional<HttpResponse> CheckHeader() {
    const auto& header = parser_->get();
    std::vector<std::string_view> transfer_encodings;
    auto [first, last] = header.equal_range(http::field::transfer_encoding);
    for (auto it = first; it != last; ++it) transfer_encodings.push_back(Sv(it->value()));
    if (auto bad = CheckTransferEncoding(transfer_encodings, header.count(http::field::content_length) > 0, version_)) {
      return JsonError(bad->status, bad->message);
    }
    if (kind_ == Kind::kProbe) {
      std::string_view path = OriginFormTarget(Sv(header.target()));
      path = path.substr(0, path.find('?'));
      const auto& probes = options().probe_paths;
      bool probe = (header.method() == http::verb::get || head_) && !parser_->chunked() &&
                   parser_->content_length().value_or(0) == 0 &&
                   std::find(probes.begin(), probes.end(), path) != probes.end();
      if (!probe) return Overloaded("too many open connections; retry later");
    }
    std::string_view coding = Sv(header[http::field::content_encoding]);
    if (Status supported = CheckContentEncoding(coding); !supported.ok()) return JsonError(415, supported.message());
    if (!parser_->is_done() && !Reserve(parser_->chunked() ? kChunkedReserveStep : *parser_->content_length())) {
      return Overloaded("the server is buffering too many request bodies; retry later");
    }
    return std::nullopt;
  }

  bool Reserve(size_t total) {
    if (total <= reserved_) return true;
    if (!state_->body_budget.TryReserve(total - reserved_)) return false;
    reserved_ = total;
    return true;
  }
  void ReleaseBudget() {
    state_->body_budget.Release(reserved_);
    reserved_ = 0;
  }

  void ReadBody() {
    stream_.expires_after(options().body_timeout);  // for the whole body, not per read
    ReadSomeBody();
  }

  void ReadSomeBody() {
    if (parser_->chunked() && !CheckChunkedProgress()) return;
    http::async_read_some(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Connection::OnSomeBody, shared_from_this()));
  }

  void OnSomeBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return OnBody({}, 0);
    ReadSomeBody();
  }

  // Feeds the parser what is already buffered, then checks what it could not consume: an unfinished
  // chunk-size line, chunk delimiter or trailer. Beast waits for a CRLF that a client using bare LFs
  // never sends, and buffers an endless chunk-size line; both are refused here instead. Also grows the
  // body's budget reservation with the body. False when the connection was answered and is closing.
  bool CheckChunkedProgress() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
      beast::error_code ec;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) {
        OnReadError(ec);
        return false;
      }
      if (used == 0) break;
    }
    if (parser_->is_done()) {
      OnBody({}, 0);
      return false;
    }
    const std::string_view unparsed(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (HasBareLineFeed(unparsed)) {
      Refuse(JsonError(400, "chunked body with a bare LF line ending"));
      return false;
    }
    if (unparsed.size() > kMaxUnparsedChunkBytes) {
      Refuse(JsonError(400, "chunk-size line or trailer section too long"));
      return false;
    }
    const size_t held = parser_->get().body().size() + buffer_.size();
    if (held + kChunkedReserveStep / 2 > reserved_ && !Reserve(held + kChunkedReserveStep)) {
      Refuse(Overloaded("the server is buffering too many request bodies; retry later"));
      return false;
    }
    return true;
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return Refuse(JsonError(413, "request body exceeds the limit of " + std::to_string(options().body_limit) +
                                       " bytes"));
    }
    if (ec == http::error::header_limit) {
      return Refuse(JsonError(431, "request header exceeds the limit of " +
                                       std::to_string(options().header_limit) + " bytes"));
    }
    if (ec == beast::error::timeout) {
      // The stream closed the socket on expiry; nothing can be written any more.
      state_->stats.timed_out_connections.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::bad_descriptor) {
      return Close();
    }
    if (&ec.category() == &beast::error_code(http::error::bad_target).category()) {
      return Refuse(JsonError(400, "malformed HTTP request: " + ec.message()));
    }
    Close();
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    parser_.reset();
    keep_alive_ = req.keep_alive() && kind_ == Kind::kData;
    Result<std::string> body =
        DecodeContentEncoding(Sv(req[http::field::content_encoding]), std::move(req.body()), options().body_limit);
    if (!body.ok()) {
      const bool too_large = body.status().code() == StatusCode::kResourceExhausted;
      return Refuse(JsonError(too_large ? 413 : 400, body.status().message()));
    }
    if (!Reserve(body->size())) return Refuse(Overloaded("the server is buffering too many request bodies; retry later"));
    HttpRequest request;
    request.method = MethodOf(req.method());
    request.target = std::string(OriginFormTarget(Sv(req.target())));
    request.content_type = std::string(req[http::field::content_type]);
    request.authorization = std::string(req[http::field::authorization]);
    request.body = std::move(*body);
    request.websocket_upgrade = boost::beast::websocket::is_upgrade(req);
    if (request.websocket_upgrade) upgrade_ = std::move(req);  // the handshake answers it, if a route streams
    request.received = std::chrono::steady_clock::now();
    state_->handler(std::move(request), [self = shared_from_this()](HttpResponse response) {
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response), false);
      });
    });
    // Handlers take the request by value and are done with its body when they return (the log holds
    // parsed events, bounded by its own queue limit), so the body's bytes leave the budget here.
    ReleaseBudget();
  }

  // A response the server makes itself, without a handler: counted, and the connection is closed (the
  // rest of the request may be unread, or its framing untrustworthy).
  void Refuse(HttpResponse response) {
    state_->stats.refused_requests.fetch_add(1, std::memory_order_relaxed);
    state_->refused.WithLabels({std::to_string(response.status)}).Inc();
    Write(std::move(response), /*close=*/true);
  }

  void Write(HttpResponse r, bool close) {
    ReleaseBudget();
    if (r.stream && !head_ && !close && !state_->stopping.load()) return StartStream(std::move(r));
    upgrade_.reset();  // not streamed: answered as a plain response
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "segue");
    res->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->set(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !close && !state_->stopping.load());
    res->prepare_payload();
    if (head_) {
      // RFC 9110 §9.3.2: the headers a GET would have had, Content-Length included, and no body.
      const size_t length = res->body().size();
      res->body().clear();
      res->content_length(length);
    }
    stream_.expires_after(options().write_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) return self->Close();
      self->ReadHeader();
    });
  }

  // Hands the socket to a stream session (stream_session.h) for the rest of the connection's life; the
  // session keeps this connection, and so its admission slot, alive.
  void StartStream(HttpResponse r) {
    const std::chrono::milliseconds timeout = options().write_timeout;
    stream_session_ = upgrade_ ? StartWebSocket(stream_, std::move(*upgrade_), std::move(r.stream), timeout, shared_from_this())
                               : StartHttpStream(stream_, std::move(r), version_, timeout, shared_from_this());
    upgrade_.reset();
  }

  void Close() {
    ReleaseBudget();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::request<http::string_body>> upgrade_;  // a WebSocket handshake being routed
  std::weak_ptr<StreamSession> stream_session_;              // set once the connection streams
  std::shared_ptr<HttpServer::State> state_;
  const Kind kind_;
  const net::ip::address client_;
  uint64_t id_ = 0;
  size_t reserved_ = 0;  // bytes of body_budget this connection holds
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool waiting_for_header_ = false;
};

namespace {

void DoAccept(const std::shared_ptr<HttpServer::State>& state) {
  state->acceptor.async_accept(net::make_strand(state->ioc), [state](beast::error_code ec, tcp::socket socket) {
    if (state->stopping.load() || ec == net::error::operation_aborted) return;
    if (ec) {
      spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
      state->retry_timer.expires_after(std::chrono::milliseconds(100));
      state->retry_timer.async_wait([state](beast::error_code) { DoAccept(state); });
      return;
    }
    beast::error_code peer_ec;
    net::ip::address client = socket.remote_endpoint(peer_ec).address();
    if (peer_ec) {  // the client is already gone
      DoAccept(state);
      return;
    }
    ConnectionAdmission::Decision decision = state->admission.Admit(client);
    if (decision.kind == ConnectionAdmission::Kind::kRefused) {
      state->stats.rejected_connections.fetch_add(1, std::memory_order_relaxed);
      state->refused_connections
          .WithLabels({decision.why_not_data == ConnectionAdmission::RefusalReason::kPerClient ? "per_client"
                                                                                               : "max_connections"})
          .Inc();
    } else {
      state->stats.accepted_connections.fetch_add(1, std::memory_order_relaxed);
    }
    std::make_shared<Connection>(std::move(socket), state, decision.kind, client)->Start();
    DoAccept(state);
  });
}

void RegisterMetrics(const std::shared_ptr<HttpServer::State>& state, metrics::Registry& registry) {
  // The callbacks read the server's state: the registry must not be rendered after the server is gone.
  const HttpServer::State* st = state.get();
  const HttpServerStats& s = state->stats;
  registry.AddCallbackGauge("segue_http_connections_open", "Open HTTP data connections.",
                            [&s] { return static_cast<double>(s.open_connections.load()); });
  registry.AddCallbackGauge("segue_http_probe_connections_open",
                            "Open connections from the probe reserve (serve /healthz and /readyz only).",
                            [&s] { return static_cast<double>(s.probe_connections.load()); });
  registry.AddCallbackCounter("segue_http_connections_accepted_total",
                              "HTTP connections accepted (data and probe reserve).",
                              [&s] { return static_cast<double>(s.accepted_connections.load()); });
  registry.AddCallbackCounter("segue_http_connections_timed_out_total",
                              "HTTP connections closed by the idle or slow-client timeouts.",
                              [&s] { return static_cast<double>(s.timed_out_connections.load()); });
  registry.AddCallbackGauge("segue_http_buffered_body_bytes",
                            "Bytes of request bodies being read or handled, held against "
                            "http.max_buffered_body_bytes.",
                            [st] { return static_cast<double>(st->body_budget.used()); });
}

}  // namespace

HttpServer::HttpServer(net::io_context& ioc, HttpServerOptions options, HttpHandler handler,
                       metrics::Registry& registry)
    : state_(std::make_shared<State>(ioc, std::move(options), std::move(handler), registry)) {
  RegisterMetrics(state_, registry);
}
HttpServer::~HttpServer() { Stop(); }

Result<tcp::endpoint> HttpServer::Listen(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  tcp::acceptor& a = state_->acceptor;
  if (a.open(endpoint.protocol(), ec); ec) return Status::IoError("socket: " + ec.message());
  if (a.set_option(net::socket_base::reuse_address(true), ec); ec) return Status::IoError("SO_REUSEADDR: " + ec.message());
  if (a.bind(endpoint, ec); ec) {
    return Status::IoError("cannot bind " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) +
                           ": " + ec.message());
  }
  if (a.listen(net::socket_base::max_listen_connections, ec); ec) return Status::IoError("listen: " + ec.message());
  tcp::endpoint bound = a.local_endpoint(ec);
  if (ec) return Status::IoError("local_endpoint: " + ec.message());
  DoAccept(state_);
  return bound;
}

void HttpServer::Stop() {
  if (state_->stopping.exchange(true)) return;
  net::post(state_->acceptor.get_executor(), [state = state_] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
    state->retry_timer.cancel();
  });
  // Collected under the lock, posted and released outside it: when an I/O thread has meanwhile closed a
  // connection, the reference held here is the last one, and ~Connection takes state_->mu.
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(state_->mu);
    for (auto& [id, weak] : state_->connections) {
      if (auto conn = weak.lock()) open.push_back(std::move(conn));
    }
  }
  for (std::shared_ptr<Connection>& conn : open) {
    net::post(conn->executor(), [conn] { conn->CloseIfIdle(); });
  }
}

const HttpServerStats& HttpServer::stats() const { return state_->stats; }

size_t HttpServer::buffered_body_bytes() const { return state_->body_budget.used(); }

Result<tcp::endpoint> ParseListenAddress(const std::string& host_port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("listen address '" + host_port + "': expected HOST:PORT");
  std::string host = host_port.substr(0, colon);
  std::string port_text = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  try {
    size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Status::InvalidArgument("listen address '" + host_port + "': port must be a number in 0..65535");
  }
  beast::error_code ec;
  net::ip::address addr = net::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(addr, static_cast<unsigned short>(port));
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, port_text, ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument("listen address '" + host_port + "': cannot resolve host '" + host + "'" +
                                   (ec ? ": " + ec.message() : ""));
  }
  return results.begin()->endpoint();
}

}  // namespace segue::serving
