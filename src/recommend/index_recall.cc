#include "recommend/index_recall.h"

#include <algorithm>
#include <vector>

#include "recommend/vector_index.h"

namespace segue::recommend {

double RecallAtK(size_t n, size_t k, const uint64_t* exact, const uint64_t* approx) {
  double sum = 0;
  size_t queries = 0;
  std::vector<uint64_t> truth;
  for (size_t i = 0; i < n; ++i) {
    truth.assign(exact + i * k, exact + (i + 1) * k);
    truth.erase(std::remove(truth.begin(), truth.end(), kNoLabel), truth.end());
    if (truth.empty()) continue;
    std::sort(truth.begin(), truth.end());
    size_t hits = 0;
    for (size_t j = 0; j < k; ++j) {
      hits += std::binary_search(truth.begin(), truth.end(), approx[i * k + j]);
    }
    sum += static_cast<double>(hits) / static_cast<double>(truth.size());
    ++queries;
  }
  return queries == 0 ? 0.0 : sum / static_cast<double>(queries);
}

}  // namespace segue::recommend
