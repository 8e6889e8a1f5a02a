#include "recommend/recommendation_cache.h"

#include <gtest/gtest.h>

namespace segue::recommend {
namespace {

std::shared_ptr<const CachedList> List(uint64_t version, size_t items = 3) {
  auto l = std::make_shared<CachedList>();
  l->version = version;
  for (size_t i = 0; i < items; ++i) l->items.push_back({static_cast<uint32_t>(i + 1), 1.f, 0});
  l->retriever = "fake";
  return l;
}

TEST(RecommendationCacheTest, HitsOnlyForTheSameSessionVersion) {
  metrics::Registry registry;
  RecommendationCache cache(10, 1 << 20, registry);
  EXPECT_EQ(cache.Get("u1", 5), nullptr);  // miss: empty
  cache.Put("u1", List(5));
  ASSERT_NE(cache.Get("u1", 5), nullptr);
  EXPECT_EQ(cache.Get("u1", 5)->version, 5u);
  EXPECT_EQ(cache.Get("u1", 6), nullptr);  // a new event invalidates
  EXPECT_EQ(cache.Get("u2", 5), nullptr);
  ASSERT_NE(cache.GetStale("u1"), nullptr);  // the fallback still finds it
  EXPECT_EQ(cache.GetStale("u1")->version, 5u);
  const std::string text = registry.RenderText();
  EXPECT_NE(text.find("segue_recommendation_cache_lookups_total{result=\"hit\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_recommendation_cache_lookups_total{result=\"miss\"} 3"), std::string::npos) << text;
}

TEST(RecommendationCacheTest, ANewerVersionReplacesAnOlderOneButNeverTheReverse) {
  metrics::Registry registry;
  RecommendationCache cache(10, 1 << 20, registry);
  cache.Put("u1", List(5));
  cache.Put("u1", List(7));
  EXPECT_NE(cache.Get("u1", 7), nullptr);
  cache.Put("u1", List(6));  // a late result for an older session state
  EXPECT_NE(cache.Get("u1", 7), nullptr);
  EXPECT_EQ(cache.Get("u1", 6), nullptr);
  EXPECT_EQ(cache.entries(), 1u);
}

TEST(RecommendationCacheTest, EvictsTheLeastRecentlyUsedBeyondTheEntryBound) {
  metrics::Registry registry;
  RecommendationCache cache(2, 1 << 20, registry);
  cache.Put("u1", List(1));
  cache.Put("u2", List(1));
  ASSERT_NE(cache.Get("u1", 1), nullptr);  // u1 is now the most recently used
  cache.Put("u3", List(1));
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_NE(cache.Get("u1", 1), nullptr);
  EXPECT_EQ(cache.Get("u2", 1), nullptr);
  EXPECT_NE(cache.Get("u3", 1), nullptr);
}

TEST(RecommendationCacheTest, EvictsBeyondTheByteBound) {
  metrics::Registry registry;
  RecommendationCache probe(10, 1 << 20, registry);
  probe.Put("u0", List(1, 200));
  const size_t one = probe.bytes();
  ASSERT_GT(one, 200 * sizeof(RankedTrack));

  RecommendationCache cache(1000, 3 * one + one / 2, registry);
  for (int i = 0; i < 10; ++i) {
    std::string user = "u";
    user += std::to_string(i);
    cache.Put(user, List(1, 200));
  }
  EXPECT_EQ(cache.entries(), 3u);
  EXPECT_LE(cache.bytes(), 3 * one + one / 2);
  EXPECT_NE(cache.Get("u9", 1), nullptr);
  EXPECT_EQ(cache.Get("u0", 1), nullptr);
}

}  // namespace
}  // namespace segue::recommend
