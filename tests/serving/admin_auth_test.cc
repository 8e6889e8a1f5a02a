// The admin gate: routes off without a token, 401 without the right bearer token, served with it; tokens
// read from a file, trimmed, and refused when short or missing.
#include "serving/admin_auth.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fake_server_host.h"

namespace segue::serving {
namespace {

constexpr char kToken[] = "0123456789abcdef-admin";

void RegisterReload(ServerHost& host, int* calls) {
  host.AddAdminRoute(HttpMethod::kPost, "/v1/admin/ping", [calls](HttpRequest, PathParams, ResponseCallback done) {
    ++*calls;
    done(JsonResponse(200, "{}"));
  });
}

TEST(AdminAuthTest, WithoutATokenAdminRoutesAreNotRegistered) {
  testing::FakeServerHost host;
  int calls = 0;
  RegisterReload(host, &calls);
  EXPECT_EQ(host.Call(HttpMethod::kPost, "/v1/admin/ping", "", std::string("Bearer ") + kToken).status, 404);
  EXPECT_EQ(calls, 0);
}

TEST(AdminAuthTest, OnlyTheRightBearerTokenReachesTheHandler) {
  testing::FakeServerHost host;
  Result<AdminAuth> auth = AdminAuth::FromToken(kToken);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  host.set_admin(std::move(*auth));
  int calls = 0;
  RegisterReload(host, &calls);
  for (const std::string& header : {std::string(""), std::string(kToken), std::string("Bearer wrong-token-of-length"),
                                    std::string("Bearer ") + kToken + "x", std::string("Basic ") + kToken}) {
    HttpResponse r = host.Call(HttpMethod::kPost, "/v1/admin/ping", "", header);
    EXPECT_EQ(r.status, 401) << header;
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(host.Call(HttpMethod::kPost, "/v1/admin/ping", "", std::string("Bearer ") + kToken).status, 200);
  EXPECT_EQ(calls, 1);
}

TEST(AdminAuthTest, TokenFileIsTrimmedAndShortOrMissingTokensAreRefused) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("segue-admin-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "\n  " << kToken << "  \n";
  std::ofstream(dir / "short") << "short\n";
  Result<AdminAuth> auth = AdminAuth::FromFile((dir / "token").string());
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_TRUE(auth->Allows(std::string("Bearer ") + kToken));

  Result<AdminAuth> short_token = AdminAuth::FromFile((dir / "short").string());
  ASSERT_FALSE(short_token.ok());
  EXPECT_NE(short_token.status().message().find("admin.token_file"), std::string::npos);
  EXPECT_NE(short_token.status().message().find("at least 16 bytes"), std::string::npos);
  Result<AdminAuth> missing = AdminAuth::FromFile((dir / "absent").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot read"), std::string::npos);
  Result<AdminAuth> off = AdminAuth::FromFile("");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->enabled());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace segue::serving
