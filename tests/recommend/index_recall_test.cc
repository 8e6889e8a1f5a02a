#include "recommend/index_recall.h"

#include <gtest/gtest.h>

#include <vector>

#include "recommend/vector_index.h"

namespace segue::recommend {
namespace {

TEST(IndexRecallTest, CountsSharedLabelsPerQueryAndIgnoresPadding) {
  // Query 0: 2 of 3 found (order does not matter); query 1: exact holds one label, found.
  const std::vector<uint64_t> exact = {1, 2, 3, 7, kNoLabel, kNoLabel};
  const std::vector<uint64_t> approx = {3, 9, 1, 7, kNoLabel, kNoLabel};
  EXPECT_DOUBLE_EQ(RecallAtK(2, 3, exact.data(), approx.data()), (2.0 / 3.0 + 1.0) / 2.0);
}

TEST(IndexRecallTest, SkipsQueriesWithoutExactResults) {
  const std::vector<uint64_t> exact = {kNoLabel, 5};
  const std::vector<uint64_t> approx = {kNoLabel, 6};
  EXPECT_DOUBLE_EQ(RecallAtK(2, 1, exact.data(), approx.data()), 0.0);
  const std::vector<uint64_t> none = {kNoLabel};
  EXPECT_DOUBLE_EQ(RecallAtK(1, 1, none.data(), none.data()), 0.0);
}

}  // namespace
}  // namespace segue::recommend
