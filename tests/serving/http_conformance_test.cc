// The HTTP server's RFC 9112 framing (request smuggling), HEAD, absolute-form targets, request content
// codings, the body-bytes budget, per-client connection limits and the probe reserve.
#include <zlib.h>

#include <gtest/gtest.h>

#include "serving/http_framing.h"
#include "serving/router.h"
#include "serving/http_server.h"
#include "tests/serving/http_test_fixture.h"

namespace segue::serving {
namespace {

// Answers with what it received, so tests can see how the server framed and decoded the request.
void EchoRequest(HttpRequest req, ResponseCallback done) {
  done(JsonResponse(200, std::string(MethodName(req.method)) + " " + req.target + " " + req.body));
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string PostWith(const std::string& extra_headers, const std::string& body) {
  return "POST /v1/events HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n" + body;
}

class HttpConformanceTest : public HttpServerTest {
 protected:
  // Sends a request whose framing the server must refuse, followed by a request that would be served
  // if the server took the remaining bytes as a new request: the refusal must close the connection.
  void ExpectRefusedAndClosed(const std::string& request, int status) {
    Start({}, EchoRequest);
    auto s = Connect();
    auto res = Exchange(*s, request + "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_TRUE(res) << "no response";
    EXPECT_EQ(res->result_int(), status) << res->body();
    EXPECT_FALSE(res->keep_alive());
    EXPECT_TRUE(ClosedByServer(*s)) << "the bytes after the refused request were served as a request";
  }
};

TEST_F(HttpConformanceTest, TransferEncodingWithoutFinalChunkedIs400AndCloses) {
  ExpectRefusedAndClosed(PostWith("Transfer-Encoding: gzip\r\n", ""), 400);
}

TEST_F(HttpConformanceTest, ChunkedFollowedByAnotherCodingIs400AndCloses) {
  ExpectRefusedAndClosed(PostWith("Transfer-Encoding: chunked, identity\r\n", ""), 400);
}

TEST_F(HttpConformanceTest, UnknownCodingWithContentLengthIsNotFramedByContentLength) {
  ExpectRefusedAndClosed(PostWith("Transfer-Encoding: xchunked\r\nContent-Length: 2\r\n", "[]"), 400);
}

TEST_F(HttpConformanceTest, UnsupportedCodingBeforeChunkedIs501AndCloses) {
  ExpectRefusedAndClosed(PostWith("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501);
}

TEST_F(HttpConformanceTest, TransferEncodingInHttp10Is400) {
  ExpectRefusedAndClosed("POST /v1/events HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
}

TEST_F(HttpConformanceTest, ChunkedBodyWithBareLineFeedsIs400NotATimeout) {
  HttpServerOptions o;
  o.body_timeout = std::chrono::seconds(30);  // a hang would outlast the client's 5 s read deadline
  Start(o, EchoRequest);
  auto s = Connect();
  auto res = Exchange(*s, PostWith("Transfer-Encoding: chunked\r\n", "2\n[]\n0\n\n"));
  ASSERT_TRUE(res) << "no answer within 5 s";
  EXPECT_EQ(res->result_int(), 400);
  EXPECT_TRUE(ClosedByServer(*s));
}

TEST_F(HttpConformanceTest, WellFormedChunkedBodyIsServedAndKeepsTheConnection) {
  Start({}, EchoRequest);
  auto s = Connect();
  auto res = Exchange(*s, PostWith("Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_EQ(res->body(), "POST /v1/events abcde");
  auto again = Exchange(*s, "GET /again HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body(), "GET /again ");
}

TEST_F(HttpConformanceTest, HeadSendsTheContentLengthWithoutTheBody) {
  Start({}, EchoRequest);
  auto s = Connect();
  net::write(s->socket(), net::buffer(std::string("HEAD /v1/x HTTP/1.1\r\nHost: t\r\n\r\n")));
  http::response_parser<http::string_body> head;
  head.skip(true);  // a HEAD response has no body whatever its Content-Length says
  const beast::error_code ec = ReadInto(*s, head);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(head.get().result_int(), 200);
  EXPECT_EQ(head.get()[http::field::content_length], std::to_string(std::string("HEAD /v1/x ").size()));
  // Had a body been sent, it would now be read as the start of the next response.
  auto next = Exchange(*s, "GET /v1/y HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "GET /v1/y ");
}

TEST_F(HttpConformanceTest, AbsoluteFormTargetIsRoutedByItsPath) {
  Start({}, EchoRequest);
  auto s = Connect();
  auto res = Exchange(*s, "GET http://example.test:8080/v1/users/u1/session?x=1 HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "GET /v1/users/u1/session?x=1 ");
}

TEST_F(HttpConformanceTest, GzipBodyIsDecodedBeforeTheHandler) {
  Start({}, EchoRequest);
  auto s = Connect();
  const std::string body = R"([{"event_id":"e1"}])";
  const std::string gz = Gzip(body);
  auto res = Exchange(*s, PostWith("Content-Encoding: gzip\r\nContent-Length: " + std::to_string(gz.size()) + "\r\n", gz));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_EQ(res->body(), "POST /v1/events " + body);
}

TEST_F(HttpConformanceTest, GzipBombIs413) {
  HttpServerOptions o;
  o.body_limit = 64 << 10;
  Start(o, EchoRequest);
  auto s = Connect();
  const std::string gz = Gzip(std::string(10 << 20, 'a'));  // 10 MiB of 'a' is ~10 KiB of gzip
  ASSERT_LT(gz.size(), o.body_limit);
  auto res = Exchange(*s, PostWith("Content-Encoding: gzip\r\nContent-Length: " + std::to_string(gz.size()) + "\r\n", gz));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413) << res->body();
}

TEST_F(HttpConformanceTest, CorruptGzipIs400AndUnknownCodingIs415) {
  Start({}, EchoRequest);
  auto a = Connect();
  auto bad = Exchange(*a, PostWith("Content-Encoding: gzip\r\nContent-Length: 4\r\n", "[{}]"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result_int(), 400) << bad->body();
  auto b = Connect();
  auto br = Exchange(*b, PostWith("Content-Encoding: br\r\nContent-Length: 2\r\n", "[]"));
  ASSERT_TRUE(br);
  EXPECT_EQ(br->result_int(), 415) << br->body();
}

TEST_F(HttpConformanceTest, BodiesBeyondTheBufferBudgetGet503WithRetryAfter) {
  HttpServerOptions o;
  o.body_limit = 800;
  o.max_buffered_body_bytes = 1000;
  Start(o, EchoRequest);
  // A holds 800 bytes of budget while its body is unfinished.
  auto a = Connect();
  net::write(a->socket(), net::buffer(PostWith("Content-Length: 800\r\n", std::string(100, 'a'))));
  for (int i = 0; i < 500 && server_->buffered_body_bytes() != 800; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(server_->buffered_body_bytes(), 800u);
  EXPECT_NE(registry_.RenderText().find("segue_http_buffered_body_bytes 800\n"), std::string::npos);
  // B's 500 bytes do not fit beside them.
  auto b = Connect();
  auto refused = Exchange(*b, PostWith("Content-Length: 500\r\n", std::string(500, 'b')));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 503);
  EXPECT_EQ(refused->at(http::field::retry_after), "1");
  EXPECT_TRUE(ClosedByServer(*b));
  // Once A's body is complete and handled, the budget is free again.
  auto done = Exchange(*a, std::string(700, 'a'));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->result_int(), 200);
  EXPECT_EQ(server_->buffered_body_bytes(), 0u);
  auto c = Connect();
  auto ok = Exchange(*c, PostWith("Content-Length: 500\r\n", std::string(500, 'c')));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result_int(), 200);
}

TEST_F(HttpConformanceTest, ChunkedBodyIsHeldToTheBufferBudget) {
  HttpServerOptions o;
  o.body_limit = 2 << 20;
  o.max_buffered_body_bytes = 1 << 20;
  Start(o, EchoRequest);
  auto s = Connect();
  beast::error_code ec;
  net::write(s->socket(), net::buffer(PostWith("Transfer-Encoding: chunked\r\n", "")), ec);
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";  // 64 KiB each
  for (int i = 0; i < 24 && !ec; ++i) net::write(s->socket(), net::buffer(chunk), ec);  // 1.5 MiB in all
  if (!ec) net::write(s->socket(), net::buffer(std::string("0\r\n\r\n")), ec);
  // The server refuses once the body outgrows the budget and closes; the client may see the 503 or,
  // when the close resets the connection under its unsent bytes, only the reset. Never a 200.
  auto res = Read(*s);
  if (res) {
    EXPECT_EQ(res->result_int(), 503);
  }
  EXPECT_NE(registry_.RenderText().find("segue_http_requests_refused_total{status=\"503\"} 1\n"), std::string::npos);
  EXPECT_EQ(server_->buffered_body_bytes(), 0u);
}

TEST_F(HttpConformanceTest, OneClientCannotTakeMoreThanItsShareOfConnections) {
  HttpServerOptions o;
  o.max_connections_per_client = 2;
  o.probe_reserve_connections = 0;
  Start(o, EchoRequest);
  auto a = Connect();
  auto b = Connect();
  WaitForOpen(2);
  auto c = Connect();
  auto res = Read(*c);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 503);
  EXPECT_NE(registry_.RenderText().find("segue_http_connections_rejected_total{reason=\"per_client\"} 1\n"),
            std::string::npos)
      << registry_.RenderText();
}

TEST_F(HttpConformanceTest, ProbesAnswerWhileDataConnectionsAreExhausted) {
  HttpServerOptions o;
  o.max_connections = 2;
  o.probe_reserve_connections = 1;
  Start(o, EchoRequest);
  auto a = Connect();
  auto b = Connect();
  WaitForOpen(2);
  auto probe = Connect();
  auto healthy = Exchange(*probe, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->result_int(), 200);
  EXPECT_EQ(healthy->body(), "GET /healthz ");
  EXPECT_TRUE(ClosedByServer(*probe)) << "a probe connection carries one request";
  // The server releases the reserve slot once its side of the connection is gone.
  for (int i = 0; i < 500 && server_->stats().probe_connections.load() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(server_->stats().probe_connections.load(), 0);
  auto data = Connect();
  auto refused = Exchange(*data, PostWith("Content-Length: 2\r\n", "[]"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 503);
  EXPECT_NE(registry_.RenderText().find("segue_http_requests_refused_total{status=\"503\"} 1\n"), std::string::npos);
}

TEST_F(HttpConformanceTest, ParserRejectionsAreCounted) {
  Start({}, EchoRequest);
  auto s = Connect();
  auto res = Exchange(*s, "GARBAGE\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400);
  EXPECT_NE(registry_.RenderText().find("segue_http_requests_refused_total{status=\"400\"} 1\n"), std::string::npos);
}

TEST(HttpFraming, TransferEncodingRules) {
  EXPECT_FALSE(CheckTransferEncoding({}, true, 11));
  EXPECT_FALSE(CheckTransferEncoding({"chunked"}, false, 11));
  EXPECT_FALSE(CheckTransferEncoding({" Chunked "}, false, 11));
  EXPECT_EQ(CheckTransferEncoding({"gzip", "chunked"}, false, 11)->status, 501);
  EXPECT_EQ(CheckTransferEncoding({"chunked", "chunked"}, false, 11)->status, 400);
  EXPECT_EQ(CheckTransferEncoding({"chunked"}, true, 11)->status, 400);
  EXPECT_EQ(CheckTransferEncoding({","}, false, 11)->status, 400);
  EXPECT_EQ(CheckTransferEncoding({"chun\x01ked"}, false, 11)->status, 400);
}

TEST(HttpFraming, BareLineFeedAndOriginForm) {
  EXPECT_FALSE(HasBareLineFeed("\r\n5\r\nab"));
  EXPECT_TRUE(HasBareLineFeed("5\nab"));
  EXPECT_TRUE(HasBareLineFeed("\n"));
  EXPECT_EQ(OriginFormTarget("/a?b"), "/a?b");
  EXPECT_EQ(OriginFormTarget("HTTP://h:1/a/b?c"), "/a/b?c");
  EXPECT_EQ(OriginFormTarget("http://h"), "/");
  EXPECT_EQ(OriginFormTarget("ftp://h/x"), "ftp://h/x");
}

}  // namespace
}  // namespace segue::serving
