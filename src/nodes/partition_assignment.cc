#include "nodes/partition_assignment.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "common/hash.h"

namespace segue::nodes {

std::vector<size_t> AssignPartitions(uint32_t partitions, const std::vector<std::string>& live) {
  const size_t n = live.size();
  // Capacities: floor(P/N) each, plus one for the first P % N nodes in id order (so by the set).
  std::vector<size_t> by_id(n);
  std::iota(by_id.begin(), by_id.end(), size_t{0});
  std::sort(by_id.begin(), by_id.end(), [&](size_t a, size_t b) { return live[a] < live[b]; });
  std::vector<size_t> room(n, partitions / n);
  for (size_t k = 0; k < partitions % n; ++k) ++room[by_id[k]];
  // Every (node, partition) pair by score, best first; ties broken by node id then partition.
  struct Pair {
    uint64_t score;
    size_t node;
    uint32_t partition;
  };
  std::vector<Pair> pairs;
  pairs.reserve(static_cast<size_t>(partitions) * n);
  std::string key;
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t p = 0; p < partitions; ++p) {
      key = live[i] + "/" + std::to_string(p);
      pairs.push_back({Fnv1a64(key), i, p});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [&](const Pair& a, const Pair& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.node != b.node) return live[a.node] < live[b.node];
    return a.partition < b.partition;
  });
  constexpr size_t kFree = SIZE_MAX;
  std::vector<size_t> owner(partitions, kFree);
  for (const Pair& pair : pairs) {
    if (owner[pair.partition] != kFree || room[pair.node] == 0) continue;
    owner[pair.partition] = pair.node;
    --room[pair.node];
  }
  return owner;
}

std::vector<uint32_t> PartitionsOf(uint32_t partitions, const std::vector<std::string>& live, std::string_view self) {
  std::vector<uint32_t> mine;
  const auto it = std::find(live.begin(), live.end(), self);
  if (it == live.end()) return mine;
  const size_t index = static_cast<size_t>(it - live.begin());
  const std::vector<size_t> owner = AssignPartitions(partitions, live);
  for (uint32_t p = 0; p < partitions; ++p) {
    if (owner[p] == index) mine.push_back(p);
  }
  return mine;
}

}  // namespace segue::nodes
