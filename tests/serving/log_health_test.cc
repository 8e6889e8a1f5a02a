#include "serving/log_health.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "log/event_log.h"

namespace segue::serving {
namespace {

std::unique_ptr<EventLog> OpenLog(const std::string& dir, uint64_t min_free_bytes) {
  EventLogOptions o;
  o.dir = dir;
  o.sync = false;
  o.min_free_bytes = min_free_bytes;
  auto log = EventLog::Open(o);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

std::string ErrorOf(const HttpResponse& r) { return nlohmann::json::parse(r.body)["error"]; }

TEST(Readiness, ReadyOnlyOnceRestoredAndWhileTheLogAcceptsWrites) {
  testing::TempDir dir;
  auto log = OpenLog(dir.path(), 0);
  ASSERT_TRUE(log);
  HttpResponse restoring = ReadinessResponse(false, *log);
  EXPECT_EQ(restoring.status, 503);
  EXPECT_EQ(ErrorOf(restoring), "restoring sessions");

  HttpResponse ready = ReadinessResponse(true, *log);
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(nlohmann::json::parse(ready.body)["status"], "ready");

  log->Close();
  HttpResponse closed = ReadinessResponse(true, *log);
  EXPECT_EQ(closed.status, 503);
  EXPECT_NE(ErrorOf(closed).find("closed"), std::string::npos) << closed.body;
}

TEST(Readiness, NotReadyWhileTheDiskIsBelowTheReserveAndSaysWhy) {
  testing::TempDir dir;
  auto log = OpenLog(dir.path(), uint64_t{1} << 62);  // larger than any disk
  ASSERT_TRUE(log);
  HttpResponse r = ReadinessResponse(true, *log);
  EXPECT_EQ(r.status, 503);
  const std::string error = ErrorOf(r);
  EXPECT_NE(error.find("refuses writes"), std::string::npos) << error;
  EXPECT_NE(error.find("min_free_bytes"), std::string::npos) << error;
}

TEST(InsufficientStorage, Is507WithJsonErrorAndRetryAfter) {
  HttpResponse r = InsufficientStorage("disk \"full\"");
  EXPECT_EQ(r.status, 507);
  EXPECT_EQ(ErrorOf(r), "disk \"full\"");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(r.headers[0].second, kNoSpaceRetryAfter);
}

}  // namespace
}  // namespace segue::serving
