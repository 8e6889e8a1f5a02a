// DashboardHandler: the three dashboard routes answer with the embedded files, byte for byte the ones in
// the source tree and Debian's Chart.js (so the build-time embedding loses nothing), with their types.
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "fake_server_host.h"
#include "serving/dashboard_handler.h"

namespace segue::serving {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class DashboardHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { DashboardHandler().Register(host_); }
  testing::FakeServerHost host_;
};

TEST_F(DashboardHandlerTest, ServesThePageAndItsScripts) {
  const struct {
    const char* route;
    std::string file;
    const char* type;
  } kFiles[] = {
      {"/dashboard", SEGUE_DASHBOARD_DIR "/dashboard.html", "text/html; charset=utf-8"},
      {"/dashboard/dashboard.js", SEGUE_DASHBOARD_DIR "/dashboard.js", "text/javascript; charset=utf-8"},
      {"/dashboard/chart.js", SEGUE_CHART_JS_FILE, "text/javascript; charset=utf-8"},
  };
  for (const auto& f : kFiles) {
    const HttpResponse r = host_.Call(HttpMethod::kGet, f.route);
    EXPECT_EQ(r.status, 200) << f.route;
    EXPECT_EQ(r.content_type, f.type) << f.route;
    const std::string expected = ReadFile(f.file);
    ASSERT_FALSE(expected.empty()) << f.file;
    EXPECT_TRUE(r.body == expected) << f.route << " differs from " << f.file;
  }
}

TEST_F(DashboardHandlerTest, ThePageLoadsItsScriptsFromTheServerOnly) {
  const std::string page = host_.Call(HttpMethod::kGet, "/dashboard").body;
  EXPECT_NE(page.find("<script src=\"/dashboard/chart.js\">"), std::string::npos);
  EXPECT_NE(page.find("<script src=\"/dashboard/dashboard.js\""), std::string::npos);
  EXPECT_EQ(page.find("http"), std::string::npos) << "no CDN or other origin";
}

TEST_F(DashboardHandlerTest, OtherPathsAreNotFound) {
  EXPECT_EQ(host_.Call(HttpMethod::kGet, "/dashboard/other.js").status, 404);
}

}  // namespace
}  // namespace segue::serving
