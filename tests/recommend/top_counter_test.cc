#include "recommend/top_counter.h"

#include <gtest/gtest.h>

#include <vector>

namespace segue::recommend {
namespace {

std::vector<uint32_t> Tracks(const TopCounter& c) {
  std::vector<uint32_t> out;
  for (const TrackCount& e : c.top()) out.push_back(e.track);
  return out;
}

TEST(TopCounterTest, OfferKeepsTheExactTopSorted) {
  TopCounter c(3);
  c.Offer(1, 1);
  c.Offer(2, 1);
  c.Offer(3, 1);
  EXPECT_EQ(Tracks(c), (std::vector<uint32_t>{1, 2, 3}));  // ties: first to reach the count stays ahead
  c.Offer(4, 1);                                           // not above the last: ignored
  EXPECT_EQ(Tracks(c), (std::vector<uint32_t>{1, 2, 3}));
  c.Offer(3, 2);
  EXPECT_EQ(Tracks(c), (std::vector<uint32_t>{3, 1, 2}));
  c.Offer(4, 2);  // replaces the last (2), lands after 3 (reached 2 first)
  EXPECT_EQ(Tracks(c), (std::vector<uint32_t>{3, 4, 1}));
  EXPECT_EQ(c.CountOf(4), 2u);
  EXPECT_EQ(c.CountOf(2), 0u);
}

TEST(TopCounterTest, IncrementIsSpaceSavingWithAnErrorBound) {
  TopCounter c(2);
  c.Increment(1);
  c.Increment(1);
  c.Increment(2);
  c.Increment(3);  // full: replaces 2 (count 1), inherits it
  ASSERT_EQ(c.top().size(), 2u);
  EXPECT_EQ(c.top()[0], (TrackCount{1, 2, 0}));
  EXPECT_EQ(c.top()[1], (TrackCount{3, 2, 1}));
  EXPECT_EQ(c.top()[1].guaranteed(), 1u);
  c.Increment(3, 2);
  EXPECT_EQ(Tracks(c), (std::vector<uint32_t>{3, 1}));
  EXPECT_EQ(c.top()[0].guaranteed(), 3u);
}

TEST(TopCounterTest, ZeroCapacityHoldsNothing) {
  TopCounter c(0);
  c.Increment(1);
  c.Offer(2, 5);
  EXPECT_TRUE(c.top().empty());
}

}  // namespace
}  // namespace segue::recommend
