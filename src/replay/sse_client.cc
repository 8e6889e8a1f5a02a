#include "replay/sse_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>

#include "replay/sse_wire.h"

namespace segue {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct SseClient::Impl {
  net::io_context ioc;
  tcp::socket socket{ioc};
  std::string pending;  // bytes read past the last complete event
};

Result<std::unique_ptr<SseClient>> SseClient::Open(const std::string& host, const std::string& port,
                                                   const std::string& path) {
  auto impl = std::make_unique<Impl>();
  boost::system::error_code ec;
  tcp::resolver resolver(impl->ioc);
  net::connect(impl->socket, resolver.resolve(host, port, ec), ec);
  if (ec) return Status::Unavailable("connecting to " + host + ":" + port + ": " + ec.message());
  if (Status s = OpenEventStream(impl->socket, host, path, &impl->pending); !s.ok()) return s;
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
    SseEvent e = ParseSseEvent(std::string_view(impl_->pending).substr(0, n));
    impl_->pending.erase(0, n);
    if (!e.data.empty() || !e.id.empty()) return e;  // otherwise a keep-alive comment: read on
  }
}

}  // namespace segue
