// BreadthFirstOrder: a numbering of a graph's nodes that places linked nodes near each other, for laying
// a graph out in memory (HnswIndex::OptimizeLayout). A graph search reads the nodes linked to the ones it
// visits; when those sit in nearby memory its reads share pages (TLB entries) and DRAM rows instead of
// each landing on a random one (the idea of "Graph Reordering for Cache-Efficient Near Neighbor Search",
// Coleman et al., 2021; breadth-first is the cheapest of the orders of that kind: one pass over the links).
// Measured on HnswIndex: docs/benchmarks.md, "ANN index (issue #10)".
//
// The order visits the nodes breadth-first from `start`, each node's links in their stored order; nodes
// `start` does not reach follow, each unreached one (lowest id first) starting a new breadth-first pass.
// Thread-safety: a pure function; `links` is called from the calling thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace segue::recommend {

// The links of one node; every id must be < the graph's node count.
using NodeLinks = std::function<std::span<const uint32_t>(uint32_t node)>;

// The node ids of a graph of `nodes` nodes (`start` < `nodes`, unless `nodes` is 0), each exactly once,
// in their new order: element i is the old id of the node numbered i.
std::vector<uint32_t> BreadthFirstOrder(uint32_t nodes, uint32_t start, const NodeLinks& links);

}  // namespace segue::recommend
