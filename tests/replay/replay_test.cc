// RunReplay against a tiny in-test HTTP server that plays the part of `POST /v1/events`.
#include "replay/replay.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace segue {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Answer {
  http::status status = http::status::accepted;
  std::string body;
  bool close = false;
};

// A blocking HTTP/1.1 server on 127.0.0.1, one thread per connection. `handler` gets the request number
// (from 0, in arrival order) and the non-blank lines of the body.
class FakeIngestServer {
 public:
  using Handler = std::function<Answer(size_t request, const std::vector<std::string>& lines)>;

  explicit FakeIngestServer(Handler handler)
      : handler_(std::move(handler)), acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~FakeIngestServer() {
    stopping_ = true;
    beast::error_code ec;
    // Wake the blocking accept with a connection of our own.
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);
    accept_thread_.join();
    for (std::thread& t : connection_threads_) t.join();
  }

  std::string target() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }
  size_t connections() const { return connections_; }

  // The usual 202 for a batch: every line accepted.
  static Answer AcceptAll(size_t, const std::vector<std::string>& lines) {
    return {http::status::accepted,
            R"({"accepted":)" + std::to_string(lines.size()) + R"(,"duplicates":0,"rejected":[]})"};
  }

 private:
  void AcceptLoop() {
    while (true) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++connections_;
      connection_threads_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }

  void Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      std::vector<std::string> lines;
      size_t start = 0;
      const std::string& body = req.body();
      while (start < body.size()) {
        size_t end = body.find('\n', start);
        if (end == std::string::npos) end = body.size();
        std::string line = body.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(line);
        start = end + 1;
      }
      Answer answer;
      {
        std::lock_guard lock(mu_);
        EXPECT_EQ(req.method(), http::verb::post);
        EXPECT_EQ(req.target(), "/v1/events");
        EXPECT_EQ(req[http::field::content_type], "application/x-ndjson");
        answer = handler_(requests_++, lines);
        lines_.insert(lines_.end(), lines.begin(), lines.end());
      }
      http::response<http::string_body> res(answer.status, 11);
      res.set(http::field::content_type, "application/json");
      res.body() = answer.body;
      res.keep_alive(!answer.close);
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || answer.close) return;
    }
  }

  Handler handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> connections_{0};
  std::mutex mu_;
  size_t requests_ = 0;
  std::vector<std::string> lines_;
};

std::string Events(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += R"({"event_id":"e)" + std::to_string(i) + R"(","user_id":"u","type":"exit"})" + "\n";
  return text;
}

ReplayOptions Options(const FakeIngestServer& server, const std::string& text, size_t batch, size_t connections) {
  ReplayOptions o;
  o.target = server.target();
  o.text = text;
  o.batch = batch;
  o.connections = connections;
  o.timeout_ms = 5000;
  return o;
}

TEST(ParseHttpTargetTest, Forms) {
  EXPECT_EQ(ParseHttpTarget("http://127.0.0.1:8080")->port, "8080");
  EXPECT_EQ(ParseHttpTarget("http://localhost:80/")->host, "localhost");
  EXPECT_EQ(ParseHttpTarget("example.org:1")->host, "example.org");
  EXPECT_EQ(ParseHttpTarget("http://[::1]:9000")->host, "::1");
  for (const char* bad : {"https://h:1", "http://h", "http://h:", "http://:80", "http://h:80/v1", "h:0", "h:65536",
                          "h:8o"}) {
    EXPECT_FALSE(ParseHttpTarget(bad).ok()) << bad;
  }
}

TEST(ReplayTest, SendsEveryLineOnceAndSumsTheAnswers) {
  FakeIngestServer server(FakeIngestServer::AcceptAll);
  const std::string text = Events(1050);
  Result<ReplayReport> r = RunReplay(Options(server, text, 100, 3));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events_in_file, 1050u);
  EXPECT_EQ(r->events_sent, 1050u);
  EXPECT_EQ(r->requests, 11u);
  EXPECT_EQ(r->accepted, 1050u);
  EXPECT_EQ(r->failed_events, 0u);
  EXPECT_TRUE(r->errors.empty());
  EXPECT_GT(r->events_per_s, 0);
  EXPECT_GT(r->latency_max_ms, 0);
  EXPECT_LE(r->latency_p50_ms, r->latency_p99_ms);
  EXPECT_LE(r->latency_p99_ms, r->latency_max_ms);
  EXPECT_EQ(server.connections(), 3u);
  const std::vector<std::string> seen = server.lines();
  EXPECT_EQ(seen.size(), 1050u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1050u);

  const nlohmann::json j = nlohmann::json::parse(ReplayReportToJson(*r));
  EXPECT_EQ(j["accepted"], 1050);
  EXPECT_EQ(j["requests"], 11);
  EXPECT_TRUE(j["latency_ms"].contains("p99"));
  EXPECT_NE(ReplayReportToText(*r).find("accepted 1050"), std::string::npos);
}

TEST(ReplayTest, CountsDuplicatesRejectionsAndHttpErrors) {
  FakeIngestServer server([](size_t request, const std::vector<std::string>& lines) -> Answer {
    if (request % 3 == 2) return {http::status::service_unavailable, R"({"error":"busy"})"};
    if (request == 1) return {http::status::accepted, "not json"};
    return {http::status::accepted, R"({"accepted":)" + std::to_string(lines.size() - 3) +
                                        R"(,"duplicates":1,"rejected":[{"index":0,"field":"ts","error":"x"},)"
                                        R"({"index":1,"field":"","error":"y"}]})"};
  });
  const std::string text = Events(60);
  Result<ReplayReport> r = RunReplay(Options(server, text, 10, 1));  // one connection: request order is fixed
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // requests 0..5: 2 and 5 → 503, 1 → bad body, 0, 3, 4 → acknowledged
  EXPECT_EQ(r->requests, 6u);
  EXPECT_EQ(r->accepted, 21u);
  EXPECT_EQ(r->duplicates, 3u);
  EXPECT_EQ(r->rejected, 6u);
  EXPECT_EQ(r->failed_events, 30u);
  EXPECT_EQ(r->errors.at("503"), 2u);
  EXPECT_EQ(r->errors.at("bad_response"), 1u);
  EXPECT_EQ(r->error_requests(), 3u);
}

TEST(ReplayTest, ReconnectsWhenTheServerClosesConnections) {
  FakeIngestServer server([](size_t request, const std::vector<std::string>& lines) {
    Answer a = FakeIngestServer::AcceptAll(request, lines);
    a.close = true;
    return a;
  });
  const std::string text = Events(95);
  Result<ReplayReport> r = RunReplay(Options(server, text, 10, 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 95u);
  EXPECT_TRUE(r->errors.empty());
  EXPECT_EQ(server.connections(), 10u);  // 2 up front, then one per request after the first of each
}

TEST(ReplayTest, PacesToTheRequestedRate) {
  FakeIngestServer server(FakeIngestServer::AcceptAll);
  const std::string text = Events(600);
  ReplayOptions o = Options(server, text, 50, 2);
  o.rate = 2000;  // 12 batches: the last is due 11·50/2000 = 0.275 s after the start
  Result<ReplayReport> r = RunReplay(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 600u);
  EXPECT_GE(r->elapsed_s, 0.27);
  EXPECT_LE(r->events_per_s, 2000 * 1.2);
}

TEST(ReplayTest, UnreachableTargetAndBadOptionsAreClearErrors) {
  uint16_t port;
  {
    asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  ReplayOptions o;
  const std::string text = Events(5);
  o.text = text;
  o.target = "http://127.0.0.1:" + std::to_string(port);
  Result<ReplayReport> r = RunReplay(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos);

  o.batch = 0;
  EXPECT_EQ(RunReplay(o).status().code(), StatusCode::kInvalidArgument);
  o.batch = 10;
  o.text = {};
  o.file = "/nonexistent/events.ndjson";
  EXPECT_EQ(RunReplay(o).status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace segue
