#include "push/http_url.h"

#include <gtest/gtest.h>

namespace segue::push {
namespace {

TEST(ParseHttpUrl, Forms) {
  auto u = ParseHttpUrl("http://collector.local:8081/hooks/push?x=1");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "collector.local");
  EXPECT_EQ(u->port, 8081);
  EXPECT_EQ(u->target, "/hooks/push?x=1");
  EXPECT_EQ(u->host_header, "collector.local:8081");

  u = ParseHttpUrl("http://127.0.0.1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/");

  u = ParseHttpUrl("http://[::1]:9000/p");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);

  u = ParseHttpUrl("http://[::1]");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
}

TEST(ParseHttpUrl, RefusesWhatItCannotSend) {
  for (const char* bad : {"https://h/", "ftp://h", "http://", "http://h:0/", "http://h:70000/", "http://h:/",
                          "http://u:p@h/", "http://h/#frag", "http://[::1/", "http://h:8x/"}) {
    EXPECT_EQ(ParseHttpUrl(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace segue::push
