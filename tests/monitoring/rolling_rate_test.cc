#include "monitoring/rolling_rate.h"

#include <cmath>

#include <gtest/gtest.h>

namespace segue::monitoring {
namespace {

TEST(RollingRate, IsNanBeforeAnyTrial) {
  RollingRate rate(3, 10);
  EXPECT_TRUE(std::isnan(rate.rate()));
  EXPECT_FALSE(rate.full());
}

TEST(RollingRate, DropsTheOldestBlockWhenANewOneStarts) {
  RollingRate rate(2, 2);  // window: the last 2 to 4 trials
  for (int i = 0; i < 4; ++i) {  // two blocks of hits
    rate.AddTrial();
    rate.AddHit();
  }
  EXPECT_TRUE(rate.full());
  EXPECT_DOUBLE_EQ(rate.rate(), 1.0);
  rate.AddTrial();  // a third block starts: the first is dropped (2 hits of 2 trials + 0 of 1)
  EXPECT_DOUBLE_EQ(rate.rate(), 2.0 / 3.0);
  rate.AddTrial();
  EXPECT_DOUBLE_EQ(rate.rate(), 0.5);
  rate.AddTrial();  // the second block of hits is dropped too
  EXPECT_DOUBLE_EQ(rate.rate(), 0.0);
}

TEST(RollingRate, IsFullOnlyOnceTheWindowsTrialsWereSeen) {
  RollingRate rate(2, 3);
  for (int i = 0; i < 5; ++i) {
    rate.AddTrial();
    EXPECT_FALSE(rate.full()) << i;
  }
  rate.AddTrial();
  EXPECT_TRUE(rate.full());
}

}  // namespace
}  // namespace segue::monitoring
