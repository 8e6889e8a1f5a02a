#include "recommend/graph_order.h"

#include <gtest/gtest.h>

#include <vector>

namespace segue::recommend {
namespace {

// Adjacency lists as a NodeLinks callback.
NodeLinks LinksOf(const std::vector<std::vector<uint32_t>>& graph) {
  return [&graph](uint32_t node) { return std::span<const uint32_t>(graph[node]); };
}

TEST(GraphOrderTest, VisitsBreadthFirstFromTheStartInLinkOrder) {
  //   3 → 1, 4     1 → 0, 3     4 → 2     0, 2 → nothing new
  const std::vector<std::vector<uint32_t>> graph = {{1}, {0, 3}, {4}, {1, 4}, {2, 3}};
  EXPECT_EQ(BreadthFirstOrder(5, 3, LinksOf(graph)), (std::vector<uint32_t>{3, 1, 4, 0, 2}));
}

TEST(GraphOrderTest, NodesTheStartDoesNotReachFollowInIdOrder) {
  // 0 → 1; 2 and 4 form a second component reached from 2; 3 has no links and nothing links to it.
  const std::vector<std::vector<uint32_t>> graph = {{1}, {}, {4}, {}, {2}};
  EXPECT_EQ(BreadthFirstOrder(5, 0, LinksOf(graph)), (std::vector<uint32_t>{0, 1, 2, 4, 3}));
}

TEST(GraphOrderTest, AnEmptyGraphHasAnEmptyOrder) {
  EXPECT_TRUE(BreadthFirstOrder(0, 0, LinksOf({})).empty());
}

}  // namespace
}  // namespace segue::recommend
