// HttpClient: keep-alive reuse, a fresh connection after the server closes one, any status returned as is,
// errors as statuses.
#include "replay/http_client.h"

#include <gtest/gtest.h>

#include "fake_ingest_server.h"

namespace segue {
namespace {

using replay_testing::Answer;
using replay_testing::FakeIngestServer;
namespace http = boost::beast::http;

std::string Port(const FakeIngestServer& server) { return server.target().substr(server.target().rfind(':') + 1); }

TEST(HttpClientTest, KeepsTheConnectionAliveAndReconnectsAfterTheServerClosesIt) {
  FakeIngestServer server([](size_t request, const std::vector<std::string>& lines) {
    if (request == 1) return Answer{http::status::service_unavailable, R"({"error":"busy"})", true};  // and close
    return FakeIngestServer::AcceptAll(request, lines);
  });
  HttpClient client("127.0.0.1", Port(server));
  Result<HttpResponse> r = client.Call("POST", "/v1/events", "{\"a\":1}\n", "application/x-ndjson");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, R"({"accepted":1,"duplicates":0,"rejected":[]})");
  r = client.Call("POST", "/v1/events", "{\"b\":1}\n{\"c\":1}\n", "application/x-ndjson");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 503);  // a status is the caller's to judge, not an error
  EXPECT_EQ(server.connections(), 1u);  // both on the first connection
  r = client.Call("POST", "/v1/events", "{\"d\":1}\n", "application/x-ndjson");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(server.connections(), 2u);  // the server closed the first after its 503
  EXPECT_EQ(server.lines().size(), 4u);
}

TEST(HttpClientTest, ErrorsAreStatuses) {
  HttpClient client("127.0.0.1", "1");  // nothing listens on port 1
  Result<HttpResponse> r = client.Call("GET", "/readyz");
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_NE(r.status().message().find("GET /readyz"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(client.Call("FETCH", "/").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace segue
