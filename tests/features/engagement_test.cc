#include "features/engagement.h"

#include <gtest/gtest.h>

namespace segue {
namespace {

PlayRecord Play(PlayEnd end, uint32_t dwell_ms) {
  PlayRecord p;
  p.track = 1;
  p.end = end;
  p.dwell_ms = dwell_ms;
  return p;
}

TEST(EngagementTest, CompletedOrThirtySecondsListened) {
  EXPECT_TRUE(IsEngagedPlay(Play(PlayEnd::kCompleted, 5'000)));  // a short track heard to the end
  EXPECT_TRUE(IsEngagedPlay(Play(PlayEnd::kSkipped, kEngagedDwellMs)));
  EXPECT_TRUE(IsEngagedPlay(Play(PlayEnd::kReplaced, 120'000)));
  EXPECT_FALSE(IsEngagedPlay(Play(PlayEnd::kSkipped, kEngagedDwellMs - 1)));
  EXPECT_FALSE(IsEngagedPlay(Play(PlayEnd::kExited, 0)));
  EXPECT_EQ(kEngagedDwellMs, 30'000u);
}

}  // namespace
}  // namespace segue
