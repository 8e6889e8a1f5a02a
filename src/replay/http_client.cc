#include "replay/http_client.h"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace segue {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host, port;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;  // absent: not connected
  beast::flat_buffer buffer;

  // One exchange on the current connection (connecting first when there is none); the error, if any.
  beast::error_code Exchange(const http::request<http::string_body>& req, http::response<http::string_body>* res) {
    beast::error_code ec;
    if (!stream) {
      tcp::resolver resolver(ioc);
      const auto endpoints = resolver.resolve(host, port, ec);
      if (ec) return ec;
      stream.emplace(ioc);
      stream->expires_after(timeout);
      stream->connect(endpoints, ec);
      if (ec) return ec;
      stream->socket().set_option(tcp::no_delay(true));
    }
    // Asynchronous so that the deadline applies (beast's timeouts do not apply to blocking calls).
    stream->expires_after(timeout);
    ec = beast::error::timeout;
    http::async_write(*stream, req, [&](beast::error_code wec, size_t) {
      if (wec) {
        ec = wec;
        return;
      }
      http::async_read(*stream, buffer, *res, [&](beast::error_code rec, size_t) { ec = rec; });
    });
    ioc.restart();
    ioc.run();
    return ec;
  }

  void Drop() {
    stream.reset();
    buffer.clear();
  }
};

HttpClient::HttpClient(std::string host, std::string port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = std::move(port);
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Call(std::string_view method, const std::string& target, const std::string& body,
                                      const std::string& content_type, const std::string& authorization) {
  const http::verb verb = http::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == http::verb::unknown) return Status::InvalidArgument("unknown HTTP method " + std::string(method));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, impl_->host + ":" + impl_->port);
  req.set(http::field::user_agent, "segue-client");
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  if (!authorization.empty()) req.set(http::field::authorization, authorization);
  req.body() = body;
  req.prepare_payload();
  const std::string what = std::string(method) + " " + target;
  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->stream.has_value();
    http::response<http::string_body> res;
    const beast::error_code ec = impl_->Exchange(req, &res);
    if (!ec) {
      HttpResponse out{static_cast<int>(res.result_int()), std::move(res.body())};
      if (!res.keep_alive()) impl_->Drop();
      return out;
    }
    impl_->Drop();
    if (ec == beast::error::timeout) return Status::DeadlineExceeded(what + ": no answer within " + std::to_string(impl_->timeout.count()) + " ms");
    // A kept-alive connection the server has closed in the meantime: once more on a new one.
    if (reused && attempt == 0 && (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                                   ec == net::error::broken_pipe || ec == net::error::eof)) {
      continue;
    }
    return Status::IoError(what + ": " + ec.message());
  }
}

}  // namespace segue
