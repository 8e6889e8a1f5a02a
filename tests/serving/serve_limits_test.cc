// `segue serve` as a separate process under the attacks of the hardening issue: many unfinished large
// bodies (memory stays bounded and is given back), one client holding every connection (probes from
// another address still answer), and a long log after kill -9 (the restart replays a bounded tail).
#include <sys/types.h>

#include <fstream>
#include <regex>
#include <vector>

#include <gtest/gtest.h>

#include "../log/test_util.h"
#include "common/time_util.h"
#include "tests/serving/server_process.h"

namespace segue::serving {
namespace {

class ServeLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/data";
    config_ = dir_.path() + "/segue.toml";
    stderr_ = dir_.path() + "/server.log";
  }
  void WriteConfig(const std::string& toml) { std::ofstream(config_) << toml; }
  std::string ServerLog() {
    std::ifstream in(stderr_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // A connection from `source` (any 127.0.0.0/8 address) to the server; null when it failed.
  std::unique_ptr<beast::tcp_stream> ConnectFrom(const std::string& source, int port) {
    auto s = std::make_unique<beast::tcp_stream>(ioc_);
    beast::error_code ec;
    s->socket().open(tcp::v4(), ec);
    if (!ec) s->socket().bind(tcp::endpoint(net::ip::make_address(source), 0), ec);
    if (!ec) s->socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
    return ec ? nullptr : std::move(s);
  }
  // One GET on a fresh connection from `source`; status 0 when there was no answer within 3 s.
  Reply GetFrom(const std::string& source, int port, const std::string& target) {
    auto s = ConnectFrom(source, port);
    if (!s) return {};
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    beast::error_code ec;
    s->expires_after(std::chrono::seconds(3));
    http::write(*s, req, ec);
    if (ec) return {};
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(*s, buffer, res, ec);
    if (ec) return {};
    return {static_cast<int>(res.result_int()), res.body(), ""};
  }

  testing::TempDir dir_;
  std::string data_, config_, stderr_;
  net::io_context ioc_;
};

TEST_F(ServeLimitsTest, UnfinishedBodiesStayWithinTheBufferBudgetAndMemoryIsReturned) {
  constexpr size_t kBudget = 64u << 20;
  constexpr size_t kBody = 8u << 20;
  WriteConfig("[http]\nmax_buffered_body_bytes = " + std::to_string(kBudget) + "\nbody_timeout_ms = 60000\n");
  ServerProcess server(data_, config_, stderr_);
  ASSERT_TRUE(server.WaitReady()) << ServerLog();
  const size_t baseline = ResidentBytes(server.pid());
  ASSERT_GT(baseline, 0u);

  // 64 connections each send all but 1 KiB of an 8 MiB body: 512 MiB if every body were buffered.
  const std::string header = "POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                             "Content-Length: " + std::to_string(kBody) + "\r\n\r\n";
  const std::string partial(kBody - 1024, ' ');
  std::vector<std::unique_ptr<beast::tcp_stream>> attackers;
  size_t refused = 0;
  for (int i = 0; i < 64; ++i) {
    auto s = ConnectFrom("127.0.0.1", server.port());
    ASSERT_TRUE(s);
    beast::error_code ec;
    s->expires_after(std::chrono::seconds(10));
    net::write(s->socket(), net::buffer(header), ec);
    if (!ec) net::write(s->socket(), net::buffer(partial), ec);
    if (ec) ++refused;  // the server answered 503 and closed before the body was sent
    attackers.push_back(std::move(s));
  }
  const size_t during = ResidentBytes(server.pid());
  EXPECT_GT(refused, 0u) << "every unfinished body was admitted";
  EXPECT_LT(during, baseline + kBudget + (48u << 20))
      << "RSS grew from " << baseline << " to " << during << " bytes with a " << kBudget << "-byte budget";

  attackers.clear();
  size_t after = 0;
  for (int i = 0; i < 100; ++i) {  // the server notices the closed connections asynchronously
    after = ResidentBytes(server.pid());
    if (after < baseline + (32u << 20)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LT(after, baseline + (32u << 20)) << "memory not returned after the attack: RSS " << baseline << " before, "
                                           << during << " during, " << after << " after";
  Client client(server.port());
  Reply metrics = client.Send(http::verb::get, "/metrics");
  EXPECT_NE(metrics.body.find("segue_http_buffered_body_bytes 0\n"), std::string::npos) << metrics.body;
}

TEST_F(ServeLimitsTest, ProbesAnswerWhileOneClientHoldsEveryConnection) {
  WriteConfig("[http]\nmax_connections = 256\n");
  ServerProcess server(data_, config_, stderr_);
  ASSERT_TRUE(server.WaitReady()) << ServerLog();
  // One address opens 300 idle connections: more than its per-client share and the server's limit.
  std::vector<std::unique_ptr<beast::tcp_stream>> idle;
  for (int i = 0; i < 300; ++i) {
    auto s = ConnectFrom("127.0.0.1", server.port());
    if (s) idle.push_back(std::move(s));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // The prober on another address still gets its answers; a data request from it does too, since the
  // flooding address only took its per-client share of the data connections.
  EXPECT_EQ(GetFrom("127.0.0.2", server.port(), "/healthz").status, 200);
  EXPECT_EQ(GetFrom("127.0.0.2", server.port(), "/readyz").status, 200);
  Reply metrics = GetFrom("127.0.0.2", server.port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("segue_http_connections_rejected_total{reason=\"per_client\"}"), std::string::npos)
      << metrics.body;
}

TEST_F(ServeLimitsTest, SnapshotsByEventCountBoundTheReplayAfterKill9) {
  WriteConfig("[sessions]\nsnapshot_interval_s = 3600\nsnapshot_every_events = 500\n");
  const int64_t base = NowMs() - 3600 * 1000;
  {
    ServerProcess server(data_, config_, stderr_);
    ASSERT_TRUE(server.WaitReady()) << ServerLog();
    Client client(server.port());
    for (int batch = 0; batch < 30; ++batch) {
      std::string body = "[";
      for (int i = 0; i < 100; ++i) {
        const int n = batch * 100 + i;
        body += std::string(i ? "," : "") + R"({"event_id":"e)" + std::to_string(n) + R"(","user_id":"u)" +
                std::to_string(n % 50) + R"(","type":"play","ts":)" + std::to_string(base + n) +
                R"(,"track_id":"t1"})";
      }
      ASSERT_EQ(client.Send(http::verb::post, "/v1/events", body + "]").status, 202);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the by-events check runs each second
    server.Signal(SIGKILL);
  }
  ServerProcess again(data_, config_, stderr_);
  ASSERT_TRUE(again.WaitReady()) << ServerLog();
  std::smatch m;
  const std::string log = ServerLog();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(snapshot found \(version \d+, offsets up to (\d+)\), (\d+) events replayed)")))
      << log;
  EXPECT_GE(std::stoull(m[1]), 2500u) << log;
  EXPECT_LT(std::stoull(m[2]), 500u) << log;
}

}  // namespace
}  // namespace segue::serving
