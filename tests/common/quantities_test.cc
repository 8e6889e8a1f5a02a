// Durations and byte sizes as written on the command line and in config.
#include "common/quantities.h"

#include <gtest/gtest.h>

namespace segue {
namespace {

TEST(QuantitiesTest, Durations) {
  EXPECT_EQ(ParseDurationMs("1500"), 1500u);
  EXPECT_EQ(ParseDurationMs("90s"), 90'000u);
  EXPECT_EQ(ParseDurationMs("30m"), 1'800'000u);
  EXPECT_EQ(ParseDurationMs("24h"), 86'400'000u);
  EXPECT_EQ(ParseDurationMs("7d"), 604'800'000u);
  for (const char* bad : {"", "h", "-1h", "1.5h", "24x", "24 h", "1000000000000000d"}) {
    EXPECT_FALSE(ParseDurationMs(bad).has_value()) << bad;
  }
}

TEST(QuantitiesTest, Bytes) {
  EXPECT_EQ(ParseBytes("500"), 500u);
  EXPECT_EQ(ParseBytes("64K"), 65'536u);
  EXPECT_EQ(ParseBytes("2G"), 2ULL << 30);
  EXPECT_FALSE(ParseBytes("2g").has_value());
  EXPECT_FALSE(ParseBytes("12h").has_value());
}

}  // namespace
}  // namespace segue
