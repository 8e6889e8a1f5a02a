// GET /v1/users/{id}/stream over real sockets: SSE and WebSocket clients receive pushes, keep-alives flow,
// a client that stops reading costs drops (never a blocked Publish or a stalled server) and is closed by
// the write timeout, and a subscription ends with its connection.
#include <boost/asio/read_until.hpp>
#include <boost/beast/websocket.hpp>

#include "push/push_hub.h"
#include "replay/push_listeners.h"
#include "serving/push_component.h"
#include "serving/router.h"
#include "serving/server_host.h"
#include "tests/serving/http_test_fixture.h"

namespace segue::serving {
namespace {

namespace websocket = beast::websocket;

// Registers the components' routes straight on a router, as the application does (minus readiness).
class RouterHost : public ServerHost {
 public:
  RouterHost(Router& router, metrics::Registry& registry) : router_(router), registry_(registry) {}
  metrics::Registry& registry() override { return registry_; }
  void AddRoute(HttpMethod m, const std::string& pattern, RouteHandler h, RouteReadiness readiness) override {
    EXPECT_EQ(readiness, RouteReadiness::kAlways) << pattern << ": streams read no session";
    router_.Add(m, pattern, std::move(h));
  }
  RouteHandler AfterAcknowledgedApplied(RouteHandler h) override { return h; }
  void Every(std::chrono::milliseconds, std::function<void()>) override {}

 private:
  Router& router_;
  metrics::Registry& registry_;
};

class PushStreamTest : public HttpServerTest {
 protected:
  void StartPush(push::PushHubOptions hub_options, HttpServerOptions options = {},
                 std::chrono::milliseconds keepalive = std::chrono::seconds(30)) {
    push::PushOptions push_options;
    push_options.hub = hub_options;
    push_options.keepalive_interval = keepalive;
    auto component = PushComponent::Create(push_options, registry_);
    ASSERT_TRUE(component.ok()) << component.status().ToString();
    component_ = std::move(*component);
    hub_ = &component_->service().hub();
    router_ = std::make_unique<Router>(registry_);
    RouterHost host(*router_, registry_);
    component_->Register(host);
    router_->Add(HttpMethod::kPost, "/x", [echo = Echo()](HttpRequest r, PathParams, ResponseCallback done) { echo(std::move(r), std::move(done)); });
    Start(options, [this](HttpRequest r, ResponseCallback done) { router_->Handle(std::move(r), std::move(done)); });
  }
  void TearDown() override {
    HttpServerTest::TearDown();
    router_.reset();
    component_.reset();
  }

  // Opens an SSE stream for `user` and reads the response head.
  std::unique_ptr<beast::tcp_stream> OpenSse(const std::string& user, std::string* head) {
    auto s = Connect();
    net::write(s->socket(), net::buffer("GET /v1/users/" + user + "/stream HTTP/1.1\r\nHost: t\r\n\r\n"));
    *head = ReadUntil(*s, "\r\n\r\n");
    return s;
  }
  // Reads through the first `delimiter` (5 s client deadline); everything read so far, "" on error.
  std::string ReadUntil(beast::tcp_stream& s, const std::string& delimiter) {
    beast::error_code result = beast::error::timeout;
    size_t n = 0;
    s.expires_after(std::chrono::seconds(5));
    net::async_read_until(s, net::dynamic_buffer(pending_), delimiter, [&](beast::error_code ec, size_t used) {
      result = ec;
      n = used;
    });
    client_ioc_.restart();
    client_ioc_.run();
    if (result) return "";
    std::string out = pending_.substr(0, n);
    pending_.erase(0, n);
    return out;
  }
  void WaitForSubscribers(size_t n) {
    for (int i = 0; i < 1000 && hub_->subscriber_count() != n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(hub_->subscriber_count(), n);
  }
  static push::PushMessagePtr Msg(const std::string& user, const std::string& rec_id, std::string json) {
    return std::make_shared<const push::PushMessage>(push::PushMessage{user, rec_id, std::move(json)});
  }

  std::unique_ptr<PushComponent> component_;
  push::PushHub* hub_ = nullptr;
  std::unique_ptr<Router> router_;
  std::string pending_;  // bytes read past the last delimiter
};

TEST_F(PushStreamTest, SseClientReceivesAPush) {
  StartPush({});
  std::string head;
  auto s = OpenSse("u1", &head);
  EXPECT_NE(head.find("HTTP/1.1 200 OK"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream"), std::string::npos) << head;
  EXPECT_NE(head.find("Connection: close"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  ASSERT_EQ(hub_->subscriber_count(), 1u) << "subscribed before the head was written";
  auto message = Msg("u1", "rec-1", R"({"rec_id":"rec-1","items":[]})");
  EXPECT_EQ(hub_->Publish(message).subscribers, 1u);
  EXPECT_EQ(ReadUntil(*s, "\n\n"), "event: recommendations\nid: rec-1\ndata: {\"rec_id\":\"rec-1\",\"items\":[]}\n\n");
  hub_->Publish(Msg("u2", "other", "{}"));
  hub_->Publish(Msg("u1", "rec-2", "{}"));
  EXPECT_EQ(ReadUntil(*s, "\n\n"), "event: recommendations\nid: rec-2\ndata: {}\n\n") << "only u1's pushes";
}

// segue replay --subscribe's client: every push of its listeners is recorded with the trigger event it
// names, and timed against when that event was sent; a push naming no sent event is counted, not timed.
TEST_F(PushStreamTest, PushListenersTimeEachPushFromItsTriggerEvent) {
  StartPush({});
  Result<std::unique_ptr<PushListeners>> listeners =
      PushListeners::Start("127.0.0.1", std::to_string(endpoint_.port()), {"u1", "u2"});
  ASSERT_TRUE(listeners.ok()) << listeners.status().ToString();
  WaitForSubscribers(2);
  const auto sent = std::chrono::steady_clock::now();
  hub_->Publish(Msg("u1", "r1", R"({"source":"model","trigger_event_id":"e1"})"));
  hub_->Publish(Msg("u2", "r2", R"({"source":"cache","trigger_event_id":"e2"})"));
  hub_->Publish(Msg("u3", "r3", R"({"trigger_event_id":"e3"})"));  // nobody listens
  hub_->Publish(Msg("u2", "r4", R"({"source":"model","trigger_event_id":"unsent"})"));
  for (int i = 0; i < 500 && (*listeners)->received() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const PushArrivals arrivals = (*listeners)->Stop(std::chrono::milliseconds(50));
  ASSERT_EQ(arrivals.pushes.size(), 3u);
  EXPECT_EQ(arrivals.streams_ended, 0u);
  const std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> sent_at = {
      {"e1", sent}, {"e2", sent}, {"e3", sent}};
  const PushLatencyReport report = MeasurePushLatency(arrivals, 2, sent_at);
  EXPECT_EQ(report.streams, 2u);
  EXPECT_EQ(report.pushes, 3u);
  EXPECT_EQ(report.matched, 2u) << "e1 and e2; \"unsent\" is not timed";
  EXPECT_EQ(report.sources, (std::map<std::string, uint64_t>{{"cache", 1}, {"model", 2}}));
  EXPECT_GT(report.latency.max_ms, 0);
  EXPECT_LE(report.latency.p50_ms, report.latency.max_ms);
}

TEST_F(PushStreamTest, WebSocketClientReceivesAPush) {
  StartPush({});
  websocket::stream<beast::tcp_stream> ws(client_ioc_);
  ws.next_layer().connect(endpoint_);
  beast::error_code handshake = beast::error::timeout;
  ws.next_layer().expires_after(std::chrono::seconds(5));
  ws.async_handshake("t", "/v1/users/u1/stream", [&](beast::error_code ec) { handshake = ec; });
  client_ioc_.run();
  ASSERT_FALSE(handshake) << handshake.message();
  ASSERT_EQ(hub_->subscriber_count(), 1u);
  hub_->Publish(Msg("u1", "rec-1", R"({"rec_id":"rec-1"})"));
  beast::flat_buffer buffer;
  beast::error_code read = beast::error::timeout;
  ws.async_read(buffer, [&](beast::error_code ec, size_t) { read = ec; });
  client_ioc_.restart();
  client_ioc_.run();
  ASSERT_FALSE(read) << read.message();
  EXPECT_TRUE(ws.got_text());
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), R"({"rec_id":"rec-1"})");
  ws.next_layer().socket().close();
  WaitForSubscribers(0);
}

TEST_F(PushStreamTest, AWebSocketClientThatStopsAnsweringPingsIsClosed) {
  StartPush({}, {}, std::chrono::milliseconds(100));  // ping after 100 ms of silence, close after 200 ms
  websocket::stream<beast::tcp_stream> ws(client_ioc_);
  ws.next_layer().connect(endpoint_);
  beast::error_code handshake = beast::error::timeout;
  ws.next_layer().expires_after(std::chrono::seconds(5));
  ws.async_handshake("t", "/v1/users/u1/stream", [&](beast::error_code ec) { handshake = ec; });
  client_ioc_.run();
  ASSERT_FALSE(handshake) << handshake.message();
  ASSERT_EQ(hub_->subscriber_count(), 1u);
  WaitForSubscribers(0);  // the client reads nothing, so it never answers the server's pings
  WaitForOpen(0);
}

TEST_F(PushStreamTest, IdleStreamsGetKeepAliveComments) {
  StartPush({}, {}, std::chrono::milliseconds(50));
  std::string head;
  auto s = OpenSse("u1", &head);
  ASSERT_FALSE(head.empty());
  EXPECT_EQ(ReadUntil(*s, "\n\n"), ": keep-alive\n\n");
  EXPECT_EQ(ReadUntil(*s, "\n\n"), ": keep-alive\n\n");
}

TEST_F(PushStreamTest, AClientThatStopsReadingCostsDropsNotABlockedPublishAndIsClosed) {
  HttpServerOptions options;
  options.write_timeout = std::chrono::milliseconds(500);
  StartPush({.buffer_messages = 4, .disconnect_after_drops = 0}, options);
  std::string head;
  auto stuck = OpenSse("u1", &head);  // never read again
  ASSERT_FALSE(head.empty());
  const std::string payload(16u << 10, 'x');
  size_t dropped = 0;
  for (int i = 0; i < 4000; ++i) dropped += hub_->Publish(Msg("u1", std::to_string(i), payload)).dropped;
  // 64 MiB pushed at a client that reads nothing: the socket buffers hold a few MiB, the rest was dropped.
  EXPECT_GT(dropped, 3000u);
  EXPECT_NE(registry_.RenderText().find("segue_push_dropped_total{reason=\"buffer_full\"} " + std::to_string(dropped)),
            std::string::npos);
  // Meanwhile the server answers other requests (the ingest path), on both I/O threads.
  for (int i = 0; i < 4; ++i) {
    auto other = Connect();
    auto res = Exchange(*other, Post(10));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200);
  }
  // Once the socket buffers are full a write stalls, times out, and the connection closes with its
  // subscription. Pushes keep coming meanwhile, as they would from the pipeline.
  const std::string big(64u << 10, 'y');
  for (int i = 0; i < 5000 && hub_->subscriber_count() > 0; ++i) {
    hub_->Publish(Msg("u1", "more", big));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(hub_->subscriber_count(), 0u);
}

TEST_F(PushStreamTest, ClientDisconnectUnsubscribes) {
  StartPush({});
  std::string head;
  auto s = OpenSse("u1", &head);
  ASSERT_EQ(hub_->subscriber_count(), 1u);
  s->socket().close();
  WaitForSubscribers(0);
  WaitForOpen(0);
}

TEST_F(PushStreamTest, SubscriberBoundIsA503) {
  StartPush({.max_subscribers_per_listener = 1});
  std::string head;
  auto first = OpenSse("u1", &head);
  ASSERT_FALSE(head.empty());
  auto second = Connect();
  auto res = Exchange(*second, "GET /v1/users/u1/stream HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->result_int(), 503);
  EXPECT_EQ((*res)[http::field::retry_after], "5");
}

TEST_F(PushStreamTest, StopClosesStreams) {
  StartPush({});
  std::string head;
  auto s = OpenSse("u1", &head);
  ASSERT_FALSE(head.empty());
  server_->Stop();
  EXPECT_TRUE(ClosedByServer(*s));
  WaitForSubscribers(0);
}

TEST(PushComponent, ABadWebhookUrlIsAnError) {
  metrics::Registry registry;
  push::PushOptions options;
  options.webhook.url = "https://example.com/hook";
  EXPECT_EQ(PushComponent::Create(options, registry).status().code(), StatusCode::kInvalidArgument);
}

TEST(SseEvent, OneDataLinePerPayloadLine) {
  EXPECT_EQ(SseEvent({"u", "r\n1", "{\n\"a\": 1\r\n}"}), "event: recommendations\nid: r1\ndata: {\ndata: \"a\": 1\ndata: }\n\n");
}

}  // namespace
}  // namespace segue::serving
