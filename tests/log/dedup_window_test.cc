#include "log/dedup_window.h"

#include <gtest/gtest.h>

#include <string>

namespace segue {
namespace {

TEST(DedupWindow, RemembersIdsAndReportsRepeats) {
  DedupWindow w(100, 0);
  EXPECT_FALSE(w.CheckAndInsert("a", 1));
  EXPECT_FALSE(w.CheckAndInsert("b", 1));
  EXPECT_TRUE(w.CheckAndInsert("a", 2));
  EXPECT_TRUE(w.CheckAndInsert("b", 3));
  EXPECT_EQ(w.size(), 2u);
}

TEST(DedupWindow, CapacityEvictsOldestFirst) {
  DedupWindow w(3, 0);
  for (const char* id : {"a", "b", "c", "d"}) EXPECT_FALSE(w.CheckAndInsert(id, 0));
  EXPECT_EQ(w.size(), 3u);
  EXPECT_TRUE(w.CheckAndInsert("d", 0));
  EXPECT_TRUE(w.CheckAndInsert("b", 0));
  EXPECT_FALSE(w.CheckAndInsert("a", 0));  // "a" was evicted, so it is new again (and evicts "b")
  EXPECT_FALSE(w.CheckAndInsert("b", 0));
}

TEST(DedupWindow, TimeBoundEvicts) {
  DedupWindow w(1000, 100);
  EXPECT_FALSE(w.CheckAndInsert("a", 1000));
  EXPECT_FALSE(w.CheckAndInsert("b", 1050));
  EXPECT_TRUE(w.CheckAndInsert("a", 1100));   // exactly window_ms old: still inside
  EXPECT_FALSE(w.CheckAndInsert("a", 1101));  // expired, accepted again
  EXPECT_TRUE(w.CheckAndInsert("b", 1101));
  EXPECT_EQ(w.size(), 2u);
}

TEST(DedupWindow, AbortedStageIsForgottenCommittedStageIsRemembered) {
  DedupWindow w(3, 0);
  EXPECT_FALSE(w.CheckAndInsert("a", 0));
  EXPECT_FALSE(w.Stage("b", 0));
  EXPECT_FALSE(w.Stage("c", 0));
  EXPECT_FALSE(w.Stage("d", 0));
  EXPECT_TRUE(w.Stage("c", 0));  // staged earlier in the same group
  EXPECT_TRUE(w.Stage("a", 0));  // committed earlier
  w.Abort();                     // the group's write failed
  EXPECT_EQ(w.size(), 1u);
  // The retry of the failed group is new again, and the abort did not evict "a" for capacity.
  EXPECT_FALSE(w.Stage("b", 0));
  EXPECT_FALSE(w.Stage("c", 0));
  EXPECT_TRUE(w.Stage("a", 0));
  w.Commit();
  EXPECT_EQ(w.size(), 3u);
  EXPECT_TRUE(w.CheckAndInsert("b", 0));
  EXPECT_TRUE(w.CheckAndInsert("c", 0));
  // Capacity is enforced at commit: staging "d" and "e" and committing pushes out "a" and "b".
  EXPECT_FALSE(w.Stage("d", 0));
  EXPECT_FALSE(w.Stage("e", 0));
  w.Commit();
  EXPECT_EQ(w.size(), 3u);
  EXPECT_FALSE(w.CheckAndInsert("a", 0));
}

// Many inserts with wrap-around and table growth; every id inside the window is found, every id that
// fell out is not, which exercises backward-shift deletion across probe chains.
TEST(DedupWindow, LargeChurnStaysExact) {
  const size_t cap = 5000;
  DedupWindow w(cap, 0);
  const int total = 60000;
  for (int i = 0; i < total; ++i) ASSERT_FALSE(w.CheckAndInsert("id-" + std::to_string(i), 0)) << i;
  EXPECT_EQ(w.size(), cap);
  // Check the newest ids (all present) before probing evicted ones, because a miss inserts.
  for (int i = total - static_cast<int>(cap); i < total; ++i) {
    ASSERT_TRUE(w.CheckAndInsert("id-" + std::to_string(i), 0)) << i;
  }
  EXPECT_FALSE(w.CheckAndInsert("id-0", 0));
  EXPECT_LE(w.MemoryBytes(), cap * 48);  // the bound documented in dedup_window.h
}

}  // namespace
}  // namespace segue
