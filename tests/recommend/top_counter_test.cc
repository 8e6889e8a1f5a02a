#include "recommend/top_counter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
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

// The plain algorithm TopCounter implements (linear find over the entries, stable re-sort), to check
// the fast one against: same lists after the same random operations.
class ReferenceCounter {
 public:
  explicit ReferenceCounter(size_t capacity) : capacity_(capacity) {}
  void Offer(uint32_t track, uint32_t count) {
    auto it = Find(track);
    if (it != e_.end()) {
      it->count = count;
    } else if (e_.size() < capacity_) {
      e_.push_back({track, count, 0});
    } else if (count > e_.back().count) {
      e_.back() = {track, count, 0};
    }
    Sort();
  }
  void Increment(uint32_t track) {
    auto it = Find(track);
    if (it != e_.end()) {
      ++it->count;
    } else if (e_.size() < capacity_) {
      e_.push_back({track, 1, 0});
    } else {
      e_.back() = {track, e_.back().count + 1, e_.back().count};
    }
    Sort();
  }
  void Remove(uint32_t track) {
    if (auto it = Find(track); it != e_.end()) e_.erase(it);
  }
  const std::vector<TrackCount>& top() const { return e_; }

 private:
  std::vector<TrackCount>::iterator Find(uint32_t track) {
    return std::find_if(e_.begin(), e_.end(), [&](const TrackCount& e) { return e.track == track; });
  }
  // Every operation changes one entry, which moves ahead of the smaller counts and behind the equal ones;
  // sorting entries into a fresh list one at a time does the same for the one that changed.
  void Sort() {
    std::vector<TrackCount> sorted;
    for (const TrackCount& e : e_) {
      auto at = std::upper_bound(sorted.begin(), sorted.end(), e.count,
                                 [](uint32_t c, const TrackCount& x) { return c > x.count; });
      sorted.insert(at, e);
    }
    e_ = std::move(sorted);
  }
  size_t capacity_;
  std::vector<TrackCount> e_;
};

// Lists longer than the find's 16-track scan block, so hits in whole blocks and in the tail both occur.
TEST(TopCounterTest, MatchesTheReferenceOverRandomOperations) {
  for (size_t capacity : {1u, 7u, 16u, 37u, 200u}) {
    std::mt19937 rng(static_cast<uint32_t>(capacity));
    TopCounter spaced(capacity), exact(capacity);
    ReferenceCounter spaced_ref(capacity), exact_ref(capacity);
    std::vector<uint32_t> counts(3 * capacity + 10, 0);  // exact counts for Offer; they only grow
    std::uniform_int_distribution<uint32_t> pick(1, static_cast<uint32_t>(counts.size() - 1));
    for (int step = 0; step < 20'000; ++step) {
      const uint32_t t = pick(rng);
      spaced.Increment(t);
      spaced_ref.Increment(t);
      if (step % 50 == 0) {
        exact.Remove(t);
        exact_ref.Remove(t);
      } else {
        exact.Offer(t, ++counts[t]);
        exact_ref.Offer(t, counts[t]);
      }
      ASSERT_TRUE(std::ranges::equal(spaced.top(), spaced_ref.top())) << "capacity " << capacity << " step " << step;
      ASSERT_TRUE(std::ranges::equal(exact.top(), exact_ref.top())) << "capacity " << capacity << " step " << step;
    }
    for (const TrackCount& e : exact.top()) EXPECT_EQ(exact.CountOf(e.track), e.count);
    for (const TrackCount& e : spaced.top()) EXPECT_EQ(spaced.CountOf(e.track), e.count);
    EXPECT_EQ(spaced.CountOf(static_cast<uint32_t>(counts.size())), 0u);  // never offered
  }
}

}  // namespace
}  // namespace segue::recommend
