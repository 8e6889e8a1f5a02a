// `segue log export --impressions` reads the impression store of a data directory.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "impressions/impression_store.h"
#include "tests/log/test_util.h"
#include "tests/testing/run_command.h"

namespace segue::impressions {
namespace {

TEST(ImpressionsCliTest, LogExportImpressionsWritesOneJsonObjectPerImpression) {
  segue::testing::TempDir dir;
  {
    metrics::Registry registry;
    auto store = ImpressionStore::Open({dir.path() + "/" + kImpressionsSubdir}, registry);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < 3; ++i) {
      Impression m;
      m.rec_id = segue::testing::Id("rec", i);
      m.user_id = segue::testing::Id("user", i % 2);
      m.ts_ms = 1000 + i;
      m.source = "fallback:timeout";
      m.track_ids = {"t1"};
      m.scores = {1};
      (*store)->Record(m);
    }
  }
  int code = 0;
  std::string out = test_support::RunCommand(
      std::string(SEGUE_BINARY) + " log export --impressions --data-dir " + dir.path() + " 2>/dev/null", &code);
  ASSERT_EQ(code, 0) << out;
  std::istringstream lines(out);
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["user_id"], "user0");
  EXPECT_EQ(rows[0]["rec_id"], "rec0");
  EXPECT_EQ(rows[1]["rec_id"], "rec2");
  EXPECT_EQ(rows[2]["user_id"], "user1");
  EXPECT_EQ(rows[2]["source"], "fallback:timeout");

  // Event-log options do not apply to impressions.
  test_support::RunCommand(
      std::string(SEGUE_BINARY) + " log export --impressions --since 0 --data-dir " + dir.path() + " 2>/dev/null", &code);
  EXPECT_NE(code, 0);
}

TEST(ImpressionsCliTest, AMissingStoreIsAClearError) {
  segue::testing::TempDir dir;
  int code = 0;
  std::string err = test_support::RunCommand(
      std::string(SEGUE_BINARY) + " log export --impressions --data-dir " + dir.path() + "/nothing 2>&1 >/dev/null", &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("impression store"), std::string::npos) << err;
}

}  // namespace
}  // namespace segue::impressions
