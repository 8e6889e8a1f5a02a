#include "serving/stream_session.h"

#include <array>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "serving/message_stream.h"

namespace segue::serving {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

// Pushes are small writes that follow each other while the previous one may be unacknowledged: with
// Nagle's algorithm each would wait for the client's delayed ACK (up to 40 ms on Linux). Measured with
// bench/push_latency at 500 pushes/s to one client: p50 up to 16 ms and p99 37–43 ms before.
void DisableNagle(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().set_option(net::ip::tcp::no_delay(true), ignored);
}

// A WebSocket client's own messages are not used; this bounds what one may make the server buffer.
constexpr size_t kMaxClientMessageBytes = 4096;

// The pump shared by both transports: drains the source whenever it wakes, one write at a time.
class PumpedSession : public StreamSession, public std::enable_shared_from_this<PumpedSession> {
 public:
  void Close() override { End(/*graceful=*/true); }

 protected:
  PumpedSession(net::any_io_executor executor, std::shared_ptr<MessageStream> source, std::shared_ptr<void> owner)
      : executor_(std::move(executor)), source_(std::move(source)), owner_(std::move(owner)) {}

  // Writes the messages; `done(ok)` on the strand.
  virtual void WriteMessages(std::vector<std::string> messages, std::function<void(bool)> done) = 0;
  virtual void CloseTransport(bool graceful) = 0;

  // Called by the transport once the head or handshake is written.
  void Begin() {
    if (ended_) return;
    source_->Start([weak = weak_from_this(), executor = executor_] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) self->Pump();
      });
    });
    Pump();
  }

  // Writes `messages` unless a write is in flight (then they are not needed: keep-alive bytes).
  void WriteIfIdle(std::vector<std::string> messages, bool end_after) {
    if (ended_ || writing_) return;
    writing_ = true;
    WriteMessages(std::move(messages), [self = shared_from_this(), end_after](bool ok) {
      self->writing_ = false;
      if (!ok || end_after) return self->End(/*graceful=*/ok);
      self->Pump();
    });
  }

  void End(bool graceful) {
    if (ended_) return;
    ended_ = true;
    source_.reset();  // unsubscribes now, not when the last handler lets go of the session
    CloseTransport(graceful);
  }

  bool ended() const { return ended_; }
  const MessageStream& source() const { return *source_; }

 private:
  void Pump() {
    if (ended_ || writing_) return;
    MessageStream::Batch batch = source_->Next();
    if (batch.messages.empty()) {
      if (batch.end) End(/*graceful=*/true);
      return;
    }
    WriteIfIdle(std::move(batch.messages), batch.end);
  }

  const net::any_io_executor executor_;
  std::shared_ptr<MessageStream> source_;
  const std::shared_ptr<void> owner_;  // released last: the transport's socket lives in it
  bool writing_ = false;
  bool ended_ = false;
};

class HttpStreamSession final : public PumpedSession {
 public:
  HttpStreamSession(beast::tcp_stream& stream, std::string head, std::shared_ptr<MessageStream> source,
                    std::chrono::milliseconds write_timeout, std::shared_ptr<void> owner)
      : PumpedSession(stream.get_executor(), std::move(source), std::move(owner)),
        stream_(stream),
        head_(std::move(head)),
        write_timeout_(write_timeout),
        keepalive_(stream.get_executor()) {}

  void Run() {
    DisableNagle(stream_);
    stream_.expires_never();  // the pending read waits as long as the stream lasts; writes get a deadline
    Read();
    stream_.expires_after(write_timeout_);
    net::async_write(stream_, net::buffer(head_), [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->End(false);
      self->Begin();
      self->ArmKeepAlive();
    });
  }

 private:
  std::shared_ptr<HttpStreamSession> Self() { return std::static_pointer_cast<HttpStreamSession>(shared_from_this()); }

  void Read() {
    stream_.async_read_some(net::buffer(discard_), [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->End(false);
      self->Read();
    });
  }

  void ArmKeepAlive() {
    if (ended()) return;
    keepalive_.expires_after(source().keepalive_interval());
    keepalive_.async_wait([self = Self()](beast::error_code ec) {
      if (ec || self->ended()) return;
      self->WriteIfIdle({self->source().keepalive_bytes()}, false);
      self->ArmKeepAlive();
    });
  }

  void WriteMessages(std::vector<std::string> messages, std::function<void(bool)> done) override {
    pending_ = std::move(messages);
    std::vector<net::const_buffer> buffers;
    for (const std::string& m : pending_) buffers.push_back(net::buffer(m));
    stream_.expires_after(write_timeout_);
    net::async_write(stream_, buffers, [self = Self(), done = std::move(done)](beast::error_code ec, size_t) {
      self->pending_.clear();
      done(!ec);
    });
  }

  void CloseTransport(bool) override {
    keepalive_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream& stream_;
  const std::string head_;
  const std::chrono::milliseconds write_timeout_;
  net::steady_timer keepalive_;
  std::vector<std::string> pending_;  // the messages being written
  std::array<char, 512> discard_{};
};

class WebSocketSession final : public PumpedSession {
 public:
  WebSocketSession(beast::tcp_stream& stream, http::request<http::string_body> upgrade,
                   std::shared_ptr<MessageStream> source, std::chrono::milliseconds write_timeout,
                   std::shared_ptr<void> owner)
      : PumpedSession(stream.get_executor(), std::move(source), std::move(owner)),
        ws_(stream),
        upgrade_(std::move(upgrade)),
        write_timeout_(write_timeout) {}

  void Run() {
    DisableNagle(ws_.next_layer());
    ws_.next_layer().expires_never();  // the WebSocket's own timeouts apply from here
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = write_timeout_;
    timeout.idle_timeout = 2 * source().keepalive_interval();
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "segue"); }));
    ws_.read_message_max(kMaxClientMessageBytes);
    ws_.text(true);
    ws_.async_accept(upgrade_, [self = Self()](beast::error_code ec) {
      if (ec) return self->End(false);
      self->Read();
      self->Begin();
    });
  }

 private:
  std::shared_ptr<WebSocketSession> Self() { return std::static_pointer_cast<WebSocketSession>(shared_from_this()); }

  void Read() {
    ws_.async_read(read_buffer_, [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->End(false);
      self->read_buffer_.clear();
      self->Read();
    });
  }

  void WriteMessages(std::vector<std::string> messages, std::function<void(bool)> done) override {
    pending_ = std::move(messages);
    WriteOne(0, std::move(done));
  }

  void WriteOne(size_t i, std::function<void(bool)> done) {
    if (i == pending_.size()) {
      pending_.clear();
      return done(true);
    }
    ws_.async_write(net::buffer(pending_[i]), [self = Self(), i, done = std::move(done)](beast::error_code ec, size_t) mutable {
      if (ec) return done(false);
      self->WriteOne(i + 1, std::move(done));
    });
  }

  void CloseTransport(bool graceful) override {
    if (graceful && ws_.is_open()) {
      ws_.async_close(websocket::close_code::going_away, [self = Self()](beast::error_code) {});
      return;
    }
    beast::error_code ignored;
    ws_.next_layer().socket().close(ignored);
  }

  websocket::stream<beast::tcp_stream&> ws_;
  http::request<http::string_body> upgrade_;
  const std::chrono::milliseconds write_timeout_;
  beast::flat_buffer read_buffer_;
  std::vector<std::string> pending_;
};

std::string Head(const HttpResponse& r, unsigned version) {
  http::response<http::empty_body> res(static_cast<http::status>(r.status), version);
  res.set(http::field::server, "segue");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-cache");
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.keep_alive(false);  // the body ends when the connection does
  std::ostringstream out;
  out << res.base();
  return out.str();
}

}  // namespace

std::shared_ptr<StreamSession> StartHttpStream(beast::tcp_stream& stream, HttpResponse response, unsigned version,
                                               std::chrono::milliseconds write_timeout, std::shared_ptr<void> owner) {
  auto session = std::make_shared<HttpStreamSession>(stream, Head(response, version), std::move(response.stream),
                                                     write_timeout, std::move(owner));
  session->Run();
  return session;
}

std::shared_ptr<StreamSession> StartWebSocket(beast::tcp_stream& stream, http::request<http::string_body> upgrade,
                                              std::shared_ptr<MessageStream> source,
                                              std::chrono::milliseconds write_timeout, std::shared_ptr<void> owner) {
  auto session = std::make_shared<WebSocketSession>(stream, std::move(upgrade), std::move(source), write_timeout,
                                                    std::move(owner));
  session->Run();
  return session;
}

}  // namespace segue::serving
