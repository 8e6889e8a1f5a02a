#include "replay/sse_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace segue {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct SseClient::Impl {
  net::io_context ioc;
  tcp::socket socket{ioc};
  std::string pending;  // bytes read past the last complete event
};

namespace {

SseEvent ParseEvent(std::string_view text) {
  SseEvent e{"message", "", ""};
  bool first_data = true;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const size_t colon = line.find(':');
    if (line.empty() || colon == 0) continue;  // blank, or a comment
    std::string_view field = line.substr(0, colon), value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    if (field == "event") e.event = value;
    if (field == "id") e.id = value;
    if (field == "data") {
      if (!first_data) e.data += '\n';
      e.data += value;
      first_data = false;
    }
  }
  return e;
}

}  // namespace

Result<std::unique_ptr<SseClient>> SseClient::Open(const std::string& host, const std::string& port,
                                                   const std::string& path) {
  auto impl = std::make_unique<Impl>();
  boost::system::error_code ec;
  tcp::resolver resolver(impl->ioc);
  net::connect(impl->socket, resolver.resolve(host, port, ec), ec);
  if (ec) return Status::Unavailable("connecting to " + host + ":" + port + ": " + ec.message());
  net::write(impl->socket, net::buffer("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n\r\n"), ec);
  const size_t head = ec ? 0 : net::read_until(impl->socket, net::dynamic_buffer(impl->pending), "\r\n\r\n", ec);
  if (ec) return Status::Unavailable("reading the stream's response head: " + ec.message());
  const std::string head_text = impl->pending.substr(0, head);
  impl->pending.erase(0, head);
  if (head_text.rfind("HTTP/1.1 200", 0) != 0 || head_text.find("text/event-stream") == std::string::npos) {
    return Status::Internal("GET " + path + " did not open an event stream: " + head_text.substr(0, head_text.find('\r')));
  }
  return std::unique_ptr<SseClient>(new SseClient(std::move(impl)));
}

SseClient::SseClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SseClient::~SseClient() = default;

Result<SseEvent> SseClient::Next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    boost::system::error_code result = net::error::timed_out;
    size_t n = 0;
    bool done = false;
    net::async_read_until(impl_->socket, net::dynamic_buffer(impl_->pending), "\n\n",
                          [&](boost::system::error_code ec, size_t used) {
                            done = true;
                            result = ec;
                            n = used;
                          });
    impl_->ioc.restart();
    impl_->ioc.run_until(deadline);
    if (!done) {
      impl_->socket.cancel();
      impl_->ioc.restart();
      impl_->ioc.run();
      return Status::DeadlineExceeded("no event within " + std::to_string(timeout.count()) + " ms");
    }
    if (result) return Status::Unavailable("the event stream ended: " + result.message());
    SseEvent e = ParseEvent(std::string_view(impl_->pending).substr(0, n));
    impl_->pending.erase(0, n);
    if (!e.data.empty() || !e.id.empty()) return e;  // otherwise a keep-alive comment: read on
  }
}

}  // namespace segue
