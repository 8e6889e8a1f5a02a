#include "serving/http_server.h"

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
#include <spdlog/spdlog.h>

namespace segue::serving {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Connection;

struct HttpServer::State {
  State(net::io_context& c, HttpServerOptions o, HttpHandler h)
      : ioc(c), options(o), handler(std::move(h)), acceptor(net::make_strand(c)), retry_timer(acceptor.get_executor()) {}

  net::io_context& ioc;
  const HttpServerOptions options;
  const HttpHandler handler;
  HttpServerStats stats;
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;  // backs off after accept errors such as EMFILE instead of spinning
  std::atomic<bool> stopping{false};

  std::mutex mu;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;  // to close idle ones on Stop
};

namespace {

HttpMethod ToMethod(http::verb v) {
  switch (v) {
    case http::verb::get: return HttpMethod::kGet;
    case http::verb::head: return HttpMethod::kHead;
    case http::verb::post: return HttpMethod::kPost;
    case http::verb::put: return HttpMethod::kPut;
    case http::verb::delete_: return HttpMethod::kDelete;
    case http::verb::patch: return HttpMethod::kPatch;
    case http::verb::options: return HttpMethod::kOptions;
    default: return HttpMethod::kOther;
  }
}

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<HttpServer::State> state, bool reject)
      : stream_(std::move(socket)), state_(std::move(state)), reject_(reject) {
    if (!reject_) state_->stats.open_connections.fetch_add(1, std::memory_order_relaxed);
  }
  ~Connection() {
    if (reject_) return;
    state_->stats.open_connections.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard lock(state_->mu);
    state_->connections.erase(id_);
  }

  void Start() {
    if (reject_) {
      net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        self->Write(JsonError(503, "too many open connections; retry later"), /*close=*/true);
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

  // Runs on the strand: a connection waiting for its next request is closed; one with a request in
  // flight answers it with "Connection: close" (see Write).
  void CloseIfIdle() {
    if (waiting_for_header_) Close();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void ReadHeader() {
    if (state_->stopping.load()) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(state_->options.header_limit));
    parser_->body_limit(state_->options.body_limit);
    stream_.expires_after(state_->options.idle_timeout);
    waiting_for_header_ = true;
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    waiting_for_header_ = false;
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return OnBody({}, 0);
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      // Clients that wait for 100 Continue (curl does for large bodies) would otherwise stall a second.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      stream_.expires_after(state_->options.write_timeout);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(state_->options.body_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Connection::OnBody, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return Write(JsonError(413, "request body exceeds the limit of " +
                                      std::to_string(state_->options.body_limit) + " bytes"),
                   true);
    }
    if (ec == http::error::header_limit) {
      return Write(JsonError(431, "request header exceeds the limit of " +
                                      std::to_string(state_->options.header_limit) + " bytes"),
                   true);
    }
    if (ec == beast::error::timeout) {
      // The stream closed the socket on expiry; nothing can be written any more.
      state_->stats.timed_out_connections.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::bad_descriptor) {
      return Close();
    }
    if (&ec.category() == &beast::error_code(http::error::bad_target).category()) {
      return Write(JsonError(400, "malformed HTTP request: " + ec.message()), true);
    }
    Close();
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    parser_.reset();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    HttpRequest request;
    request.method = ToMethod(req.method());
    request.target = std::string(req.target());
    request.content_type = std::string(req[http::field::content_type]);
    request.body = std::move(req.body());
    request.received = std::chrono::steady_clock::now();
    state_->handler(std::move(request), [self = shared_from_this()](HttpResponse response) {
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response), false);
      });
    });
  }

  void Write(HttpResponse r, bool close) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "segue");
    res->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->set(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !close && !state_->stopping.load());
    res->prepare_payload();
    stream_.expires_after(state_->options.write_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) return self->Close();
      self->ReadHeader();
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::State> state_;
  const bool reject_;
  uint64_t id_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
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
    bool reject = static_cast<size_t>(state->stats.open_connections.load()) >= state->options.max_connections;
    if (reject) {
      state->stats.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    } else {
      state->stats.accepted_connections.fetch_add(1, std::memory_order_relaxed);
    }
    std::make_shared<Connection>(std::move(socket), state, reject)->Start();
    DoAccept(state);
  });
}

}  // namespace

HttpServer::HttpServer(net::io_context& ioc, HttpServerOptions options, HttpHandler handler)
    : state_(std::make_shared<State>(ioc, options, std::move(handler))) {}

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
