// push_latency: publish → Server-Sent-Event-received latency through the real server path (PushHub →
// stream session → loopback TCP → client), for N listeners with one open SSE connection each, beside a
// baseline in the same run: the round trip of a plain GET on the same server (request → route → response).
//
//   push_latency [--subscribers N] [--messages M] [--rate PER_S] [--payload-bytes B] [--threads T]
//
// Pushes go to the listeners in turn, at a fixed rate (a trigger fires for one listener at a time). The
// server runs T I/O threads (default 2, as `segue serve`); the clients share one thread. Prints one JSON
// line with p50/p90/p99/max in microseconds for both. Not a test: figures go to docs/benchmarks.md.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/metrics.h"
#include "push/push_hub.h"
#include "serving/http_server.h"
#include "serving/push_component.h"
#include "serving/router.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using segue::serving::HttpMethod;

struct Args {
  int subscribers = 100;
  int messages = 2000;
  int rate = 500;
  size_t payload_bytes = 1024;
  int threads = 2;
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const long v = std::strtol(argv[i + 1], nullptr, 10);
    if (k == "--subscribers") a.subscribers = static_cast<int>(v);
    else if (k == "--messages") a.messages = static_cast<int>(v);
    else if (k == "--rate") a.rate = static_cast<int>(v);
    else if (k == "--payload-bytes") a.payload_bytes = static_cast<size_t>(v);
    else if (k == "--threads") a.threads = static_cast<int>(v);
    else std::fprintf(stderr, "unknown flag %s\n", k.c_str()), std::exit(2);
  }
  return a;
}

// One SSE client: reads events and records, for each, the latency since its publish time.
struct SseClient {
  explicit SseClient(net::io_context& ioc) : socket(ioc) {}
  tcp::socket socket;
  std::string buffer;
};

void ReadEvents(SseClient& c, const std::vector<Clock::time_point>& published, std::vector<double>& latency_us,
                std::atomic<int>& received) {
  net::async_read_until(c.socket, net::dynamic_buffer(c.buffer), "\n\n", [&](beast::error_code ec, size_t n) {
    if (ec) return;
    const Clock::time_point now = Clock::now();
    const std::string event = c.buffer.substr(0, n);
    c.buffer.erase(0, n);
    const size_t id = event.find("\nid: ");
    if (id != std::string::npos) {
      const size_t index = std::strtoul(event.c_str() + id + 5, nullptr, 10);
      latency_us[index] = std::chrono::duration<double, std::micro>(now - published[index]).count();
      received.fetch_add(1);
    }
    ReadEvents(c, published, latency_us, received);
  });
}

struct Percentiles {
  double p50, p90, p99, max;
};
Percentiles Summarise(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]; };
  return {at(0.50), at(0.90), at(0.99), v.back()};
}

// Round trips of GET /ping on one keep-alive connection, at the same rate as the pushes.
std::vector<double> Baseline(const tcp::endpoint& ep, const Args& a) {
  net::io_context ioc;
  beast::tcp_stream s(ioc);
  s.connect(ep);
  beast::flat_buffer buffer;
  std::vector<double> out;
  const auto gap = std::chrono::microseconds(1'000'000 / a.rate);
  for (int i = 0; i < a.messages; ++i) {
    http::request<http::empty_body> req(http::verb::get, "/ping", 11);
    req.set(http::field::host, "bench");
    http::response<http::string_body> res;
    const Clock::time_point t0 = Clock::now();
    http::write(s, req);
    http::read(s, buffer, res);
    out.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    std::this_thread::sleep_for(gap);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = Parse(argc, argv);
  segue::metrics::Registry registry;
  segue::push::PushHub hub({.max_subscribers = static_cast<size_t>(a.subscribers) + 1}, registry);
  segue::serving::Router router(registry);
  router.Add(HttpMethod::kGet, segue::serving::kPushStreamRoute,
             segue::serving::PushStreamHandler(hub, std::chrono::seconds(15)));
  router.Add(HttpMethod::kGet, "/ping", [](segue::serving::HttpRequest, segue::serving::PathParams,
                                           segue::serving::ResponseCallback done) {
    done(segue::serving::JsonResponse(200, "{}"));
  });
  net::io_context server_ioc;
  auto work = net::make_work_guard(server_ioc);
  segue::serving::HttpServerOptions options;
  options.max_connections = static_cast<size_t>(a.subscribers) + 16;
  options.max_connections_per_client = 0;
  segue::serving::HttpServer server(server_ioc, options,
                                    [&](segue::serving::HttpRequest r, segue::serving::ResponseCallback d) {
                                      router.Handle(std::move(r), std::move(d));
                                    },
                                    registry);
  auto ep = server.Listen({net::ip::make_address("127.0.0.1"), 0});
  if (!ep.ok()) return std::fprintf(stderr, "%s\n", ep.status().ToString().c_str()), 1;
  std::vector<std::thread> server_threads;
  for (int i = 0; i < a.threads; ++i) server_threads.emplace_back([&] { server_ioc.run(); });

  net::io_context client_ioc;
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < a.subscribers; ++i) {
    auto c = std::make_unique<SseClient>(client_ioc);
    c->socket.connect(*ep);
    net::write(c->socket, net::buffer("GET /v1/users/listener-" + std::to_string(i) + "/stream HTTP/1.1\r\nHost: b\r\n\r\n"));
    net::read_until(c->socket, net::dynamic_buffer(c->buffer), "\r\n\r\n");
    c->buffer.erase(0, c->buffer.find("\r\n\r\n") + 4);
    clients.push_back(std::move(c));
  }
  std::vector<Clock::time_point> published(static_cast<size_t>(a.messages));
  std::vector<double> latency_us(static_cast<size_t>(a.messages), -1);
  std::atomic<int> received{0};
  for (auto& c : clients) ReadEvents(*c, published, latency_us, received);
  std::thread client_thread([&] { client_ioc.run(); });

  const std::string payload(a.payload_bytes, 'x');
  const auto gap = std::chrono::microseconds(1'000'000 / a.rate);
  for (int i = 0; i < a.messages; ++i) {
    auto m = std::make_shared<const segue::push::PushMessage>(
        segue::push::PushMessage{"listener-" + std::to_string(i % a.subscribers), std::to_string(i), payload});
    published[static_cast<size_t>(i)] = Clock::now();
    hub.Publish(std::move(m));
    std::this_thread::sleep_for(gap);
  }
  for (int i = 0; i < 500 && received.load() < a.messages; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::vector<double> baseline = Baseline(*ep, a);

  std::vector<double> got;
  for (double l : latency_us) if (l >= 0) got.push_back(l);
  server.Stop();
  for (auto& c : clients) c->socket.close();
  client_ioc.stop();
  client_thread.join();
  work.reset();
  server_ioc.stop();
  for (auto& t : server_threads) t.join();
  if (got.empty()) return std::fprintf(stderr, "no push received\n"), 1;
  const Percentiles p = Summarise(got), b = Summarise(baseline);
  std::printf(
      "{\"subscribers\":%d,\"messages\":%d,\"received\":%zu,\"rate\":%d,\"payload_bytes\":%zu,"
      "\"push_us\":{\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,\"max\":%.0f},"
      "\"get_round_trip_us\":{\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,\"max\":%.0f}}\n",
      a.subscribers, a.messages, got.size(), a.rate, a.payload_bytes, p.p50, p.p90, p.p99, p.max, b.p50, b.p90, b.p99,
      b.max);
  return 0;
}
