#include "serving/router.h"

#include <gtest/gtest.h>

namespace segue::serving {
namespace {

HttpRequest Req(HttpMethod m, std::string target) {
  HttpRequest r;
  r.method = m;
  r.target = std::move(target);
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : router_(registry_) {
    router_.Add(HttpMethod::kGet, "/v1/users/{id}/session", [this](HttpRequest, PathParams p, ResponseCallback d) {
      params_ = p;
      d(JsonResponse(200, "{}"));
    });
    router_.Add(HttpMethod::kPost, "/v1/events", [](HttpRequest, PathParams, ResponseCallback d) {
      d(JsonResponse(202, "{}"));
    });
  }
  HttpResponse Call(HttpMethod m, std::string target) {
    HttpResponse out;
    router_.Handle(Req(m, std::move(target)), [&](HttpResponse r) { out = std::move(r); });
    return out;
  }

  metrics::Registry registry_;
  Router router_;
  PathParams params_;
};

TEST_F(RouterTest, CapturesArePercentDecodedAndQueryIgnored) {
  HttpResponse r = Call(HttpMethod::kGet, "/v1/users/a%2Fb%20c/session?verbose=1");
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(params_.size(), 1u);
  EXPECT_EQ(params_[0], "a/b c");
}

TEST_F(RouterTest, UnknownRouteIs404WithJsonError) {
  HttpResponse r = Call(HttpMethod::kGet, "/v2/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":"no route for /v2/nothing"})");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  HttpResponse r = Call(HttpMethod::kGet, "/v1/events");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "POST");
  EXPECT_EQ(r.body, R"({"error":"GET is not allowed on /v1/events; allowed: POST"})");
}

TEST_F(RouterTest, HeadIsServedByTheGetRoute) {
  HttpResponse r = Call(HttpMethod::kHead, "/v1/users/u1/session");
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(params_.size(), 1u);
  EXPECT_EQ(params_[0], "u1");
  // A path with no GET route still refuses HEAD, and GET routes advertise HEAD.
  EXPECT_EQ(Call(HttpMethod::kHead, "/v1/events").status, 405);
  HttpResponse put = Call(HttpMethod::kPut, "/v1/users/u1/session");
  ASSERT_EQ(put.headers.size(), 1u);
  EXPECT_EQ(put.headers[0].second, "GET, HEAD");
}

TEST_F(RouterTest, BadPercentEncodingIs400) {
  EXPECT_EQ(Call(HttpMethod::kGet, "/v1/users/%zz/session").status, 400);
  EXPECT_EQ(Call(HttpMethod::kGet, "/v1/users/abc%2/session").status, 400);
}

TEST_F(RouterTest, CountsRequestsByRouteAndStatus) {
  Call(HttpMethod::kPost, "/v1/events");
  Call(HttpMethod::kPost, "/v1/events");
  Call(HttpMethod::kGet, "/nope");
  Call(HttpMethod::kGet, "/v1/events");
  std::string text = registry_.RenderText();
  EXPECT_NE(text.find("segue_http_requests_total{route=\"/v1/events\",status=\"405\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_http_requests_total{route=\"/v1/events\",status=\"202\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_http_request_duration_seconds_count{route=\"/v1/events\"} 3\n"), std::string::npos);
}

}  // namespace
}  // namespace segue::serving
