// The pure parts of the Redis client: URL parsing, and key slots against the values
// `redis-cli CLUSTER KEYSLOT` prints.
#include <gtest/gtest.h>

#include "bus/cluster_slot.h"
#include "bus/redis_url.h"

namespace segue::bus {
namespace {

TEST(RedisUrl, ParsesSeeds) {
  Result<std::vector<RedisEndpoint>> one = ParseRedisUrl("redis://127.0.0.1:6379");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.value(), (std::vector<RedisEndpoint>{{"127.0.0.1", 6379}}));
  Result<std::vector<RedisEndpoint>> three = ParseRedisUrl("redis://a:1,b.example:7000,10.0.0.3:65535");
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three.value(), (std::vector<RedisEndpoint>{{"a", 1}, {"b.example", 7000}, {"10.0.0.3", 65535}}));
}

TEST(RedisUrl, NamesWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"http://a:1", "must start with redis://"}, {"redis://a", "has no :PORT"},
      {"redis://:80", "has no host"},             {"redis://a:0", "1..65535"},
      {"redis://a:70000", "1..65535"},            {"redis://a:1,", "empty HOST:PORT"},
      {"redis://u@a:1", "no user"},               {"redis://a:1x", "port '1x'"}};
  for (const auto& [url, message] : bad) {
    Result<std::vector<RedisEndpoint>> r = ParseRedisUrl(url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(message), std::string::npos) << r.status().message();
  }
}

TEST(KeySlot, MatchesRedisClusterKeyslot) {
  // Each value printed by `redis-cli CLUSTER KEYSLOT <key>` on redis-server 7.0.15.
  EXPECT_EQ(KeySlot("foo"), 12182);
  EXPECT_EQ(KeySlot("bar"), 5061);
  EXPECT_EQ(KeySlot("{user1000}.following"), 3443);
  EXPECT_EQ(KeySlot("segue:{0}:events"), 13907);
  EXPECT_EQ(KeySlot("segue:{17}:offset"), 12304);
  EXPECT_EQ(KeySlot("segue:{state}:x"), 12053);
  EXPECT_EQ(KeySlot("{}abc"), 5980);   // an empty tag hashes the whole key
  EXPECT_EQ(KeySlot("a{}{b}"), 15033);  // only the first '{' counts
  EXPECT_EQ(KeySlot(""), 0);
  EXPECT_EQ(KeySlot("123456789"), 12739);
}

}  // namespace
}  // namespace segue::bus
