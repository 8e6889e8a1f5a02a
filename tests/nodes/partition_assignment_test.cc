#include "nodes/partition_assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace segue::nodes {
namespace {

std::vector<std::string> Nodes(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("node-" + std::to_string(i));
  return out;
}

std::vector<std::string> Owners(uint32_t partitions, const std::vector<std::string>& live) {
  std::vector<std::string> out;
  for (size_t i : AssignPartitions(partitions, live)) out.push_back(live[i]);
  return out;
}

TEST(PartitionAssignment, EveryNodeOwnsAFairShare) {
  for (uint32_t partitions : {1u, 7u, 16u, 64u, 1024u}) {
    for (int n = 1; n <= 9; ++n) {
      std::map<std::string, uint32_t> held;
      for (const std::string& o : Owners(partitions, Nodes(n))) ++held[o];
      const uint32_t floor = partitions / static_cast<uint32_t>(n);
      uint32_t total = 0;
      for (const auto& [node, count] : held) {
        EXPECT_GE(count, floor) << partitions << " partitions, " << n << " nodes";
        EXPECT_LE(count, floor + 1) << partitions << " partitions, " << n << " nodes";
        total += count;
      }
      EXPECT_EQ(total, partitions);
    }
  }
}

TEST(PartitionAssignment, DependsOnTheSetNotTheOrder) {
  std::vector<std::string> live = Nodes(5);
  const std::vector<std::string> expected = Owners(64, live);
  std::reverse(live.begin(), live.end());
  EXPECT_EQ(Owners(64, live), expected);
  std::rotate(live.begin(), live.begin() + 2, live.end());
  EXPECT_EQ(Owners(64, live), expected);
}

// A node leaving: the partitions of the nodes that stay mostly stay with them (rendezvous), so a takeover
// moves about the dead node's share, not the whole map.
TEST(PartitionAssignment, ANodeLeavingMovesLittleBesidesItsShare) {
  const uint32_t partitions = 240;
  std::vector<std::string> live = Nodes(4);
  const std::vector<std::string> before = Owners(partitions, live);
  live.erase(live.begin() + 1);
  const std::vector<std::string> after = Owners(partitions, live);
  uint32_t moved_from_survivors = 0;
  for (uint32_t p = 0; p < partitions; ++p) {
    if (before[p] != "node-1" && before[p] != after[p]) ++moved_from_survivors;
  }
  EXPECT_LE(moved_from_survivors, partitions / 8) << "of " << partitions;
}

TEST(PartitionAssignment, PartitionsOfIsTheNodesColumn) {
  const std::vector<std::string> live = Nodes(3);
  std::vector<uint32_t> all;
  for (const std::string& node : live) {
    std::vector<uint32_t> mine = PartitionsOf(16, live, node);
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 16u);
  for (uint32_t p = 0; p < 16; ++p) EXPECT_EQ(all[p], p);
  EXPECT_TRUE(PartitionsOf(16, live, "stranger").empty());
}

}  // namespace
}  // namespace segue::nodes
