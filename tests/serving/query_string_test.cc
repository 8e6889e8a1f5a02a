#include "serving/query_string.h"

#include <gtest/gtest.h>

namespace segue::serving {
namespace {

TEST(QueryStringTest, DecodesParametersInOrder) {
  Result<QueryParams> q = ParseQueryString("/p?k=10&explain&name=a%20b+c&&x=");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(*q, (QueryParams{{"k", "10"}, {"explain", ""}, {"name", "a b c"}, {"x", ""}}));
  EXPECT_TRUE(ParseQueryString("/p")->empty());
  EXPECT_TRUE(ParseQueryString("/p?")->empty());
}

TEST(QueryStringTest, RejectsBadEncodingEmptyNamesAndRepeats) {
  EXPECT_FALSE(ParseQueryString("/p?k=%4").ok());
  EXPECT_FALSE(ParseQueryString("/p?=1").ok());
  Result<QueryParams> q = ParseQueryString("/p?k=1&k=2");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().message(), "k: given more than once");
}

TEST(QueryStringTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%2Fb"), "a/b");
  EXPECT_EQ(PercentDecode("a%2"), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0"), std::nullopt);
}

}  // namespace
}  // namespace segue::serving
