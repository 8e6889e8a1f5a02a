// RunReplay against a tiny in-test HTTP server that plays the part of `POST /v1/events`.
#include "replay/replay.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "fake_ingest_server.h"

namespace segue {
namespace {

using replay_testing::Answer;
using replay_testing::FakeIngestServer;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

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
  EXPECT_GT(r->latency.max_ms, 0);
  EXPECT_LE(r->latency.p50_ms, r->latency.p99_ms);
  EXPECT_LE(r->latency.p99_ms, r->latency.max_ms);
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

TEST(ReplayTest, EveryListenersEventsArriveInFileOrderOnOneConnection) {
  FakeIngestServer server(FakeIngestServer::AcceptAll);
  // 37 listeners interleaved the way a simulation writes them (by time), plus lines without a user_id.
  std::string text;
  int no_user = 0;
  for (int i = 0; i < 3000; ++i) {
    if (i % 97 == 0) {
      text += R"({"event_id":"x)" + std::to_string(i) + R"(","type":"exit"})" "\n";
      ++no_user;
      continue;
    }
    text += R"({"event_id":"e)" + std::to_string(i) + R"(","user_id":"u)" + std::to_string((i * 7) % 37) +
            R"(","type":"play","i":)" + std::to_string(i) + "}\n";
  }
  Result<ReplayReport> r = RunReplay(Options(server, text, 16, 4));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 3000u);
  EXPECT_EQ(r->events_without_user_id, static_cast<uint64_t>(no_user));
  EXPECT_TRUE(r->errors.empty());

  const std::vector<std::vector<std::string>> by_connection = server.lines_by_connection();
  ASSERT_EQ(by_connection.size(), 4u);
  std::map<std::string, size_t> connection_of;  // user → the one connection that carried it
  std::map<std::string, int> last_index;        // user → file index of its latest event seen
  std::set<std::string> delivered;
  size_t total = 0;
  for (size_t c = 0; c < by_connection.size(); ++c) {
    for (const std::string& line : by_connection[c]) {
      ++total;
      EXPECT_TRUE(delivered.insert(line).second) << "delivered twice: " << line;
      const nlohmann::json j = nlohmann::json::parse(line);
      if (!j.contains("user_id")) {
        EXPECT_EQ(c, 0u) << "a line without user_id must go to connection 0";
        continue;
      }
      const std::string user = j["user_id"];
      const auto [it, inserted] = connection_of.emplace(user, c);
      EXPECT_EQ(it->second, c) << user << " split across connections";
      const int index = j["i"];
      if (!inserted) {
        EXPECT_LT(last_index[user], index) << user << " out of file order";
      }
      last_index[user] = index;
    }
  }
  EXPECT_EQ(total, 3000u);
  EXPECT_EQ(connection_of.size(), 37u);
  std::set<size_t> used;
  for (const auto& [user, c] : connection_of) used.insert(c);
  EXPECT_GT(used.size(), 1u) << "37 listeners should spread over the connections";
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
  // One listener, so one connection carries all 10 requests: 2 up front, then one per request after its first.
  EXPECT_EQ(server.connections(), 11u);
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

// --read: GETs for the file's listeners run beside the ingest, counted by status and by the answers'
// "source" field.
TEST(ReplayTest, ReadLoadAsksForEachListenerAndCountsStatusesAndSources) {
  FakeIngestServer server(FakeIngestServer::AcceptAll);
  server.OnGet([](const std::string& target) {
    if (target.find("/v1/users/b/") == 0) return Answer{http::status::not_found, R"({"error":"no"})"};
    return Answer{http::status::ok, R"({"source":"fallback:no_model","items":[]})"};
  });
  std::string text;
  for (int i = 0; i < 400; ++i) {
    text += R"({"event_id":"e)" + std::to_string(i) + R"(","user_id":")" + std::string(1, "ab"[i % 2]) +
            R"(","type":"exit"})" + "\n";
  }
  ReplayOptions o = Options(server, text, 10, 2);
  o.rate = 1000;  // the ingest lasts about 0.4 s
  o.read_path = "/v1/users/{user}/recommendations?k=3";
  o.read_rate = 100;
  o.read_connections = 2;
  Result<ReplayReport> r = RunReplay(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->reads.has_value());
  const ReadLoadReport& reads = *r->reads;
  EXPECT_GE(reads.requests, 20u);
  EXPECT_EQ(reads.requests, reads.ok + reads.errors.at("404"));
  EXPECT_EQ(reads.sources.at("fallback:no_model"), reads.ok);
  const std::vector<std::string> targets = server.get_targets();
  ASSERT_GE(targets.size(), 2u);
  EXPECT_EQ(targets[0], "/v1/users/a/recommendations?k=3");
  EXPECT_EQ(targets[1], "/v1/users/b/recommendations?k=3");
  EXPECT_GT(reads.latency.p99_ms, 0);
  const nlohmann::json j = nlohmann::json::parse(ReplayReportToJson(*r));
  EXPECT_EQ(j["reads"]["ok"], reads.ok);
  EXPECT_EQ(j["reads"]["sources"]["fallback:no_model"], reads.ok);
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

  FakeIngestServer server(FakeIngestServer::AcceptAll);
  o.file.clear();
  o.text = text;
  o.target = server.target();
  o.read_path = "v1/users/{user}/session";  // not a path
  Result<ReplayReport> bad_read = RunReplay(o);
  EXPECT_EQ(bad_read.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_read.status().message().find("--read"), std::string::npos) << bad_read.status().message();
}

}  // namespace
}  // namespace segue
