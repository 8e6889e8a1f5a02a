#include "recommend/graph_order.h"

namespace segue::recommend {

std::vector<uint32_t> BreadthFirstOrder(uint32_t nodes, uint32_t start, const NodeLinks& links) {
  std::vector<uint32_t> order;
  order.reserve(nodes);
  std::vector<bool> seen(nodes);
  // The order doubles as the queue: order[head..] are reached but their links not yet followed.
  auto visit_from = [&](uint32_t root) {
    seen[root] = true;
    order.push_back(root);
    for (size_t head = order.size() - 1; head < order.size(); ++head) {
      for (uint32_t next : links(order[head])) {
        if (seen[next]) continue;
        seen[next] = true;
        order.push_back(next);
      }
    }
  };
  if (nodes > 0) visit_from(start);
  for (uint32_t node = 0; node < nodes; ++node) {
    if (!seen[node]) visit_from(node);
  }
  return order;
}

}  // namespace segue::recommend
