// Which node owns which partition: a pure function of the partition count and the set of live nodes, so
// every node computes the same map from the same membership without talking to the others.
//
// Rule (rendezvous hashing with bounded load): every (node, partition) pair has the score
// Fnv1a64("<node>/<partition>") (common/hash.h, stable across versions and machines); going through all
// pairs best score first, a partition goes to the pair's node unless it is already owned or the node is
// full. A node holds floor(P/N) partitions, one more for the first P % N nodes in id order: each node owns
// a fair share. A node joining or leaving moves little besides its own share, because the pairs that
// decided the other partitions mostly come first either way (tests/nodes: at most 1/8 of the survivors'
// partitions when one of 4 nodes leaves 240 partitions; 20 of 180 move, where placing partitions in order
// under a cap moved 60). Cost O(P·N log(P·N)) per call.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace segue::nodes {

// owner[p] = index into `live` of partition p's owner. `live` must be non-empty and distinct (any order:
// the result depends on the set, not the order).
std::vector<size_t> AssignPartitions(uint32_t partitions, const std::vector<std::string>& live);

// The partitions `self` owns when `live` are the live nodes (empty when self is not among them), ascending.
std::vector<uint32_t> PartitionsOf(uint32_t partitions, const std::vector<std::string>& live, std::string_view self);

}  // namespace segue::nodes
