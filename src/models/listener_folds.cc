#include "models/listener_folds.h"

#include <algorithm>
#include <numeric>

#include "common/hash.h"

namespace segue {
namespace {

// SplitMix64's finaliser: spreads the seed over every bit so two seeds give unrelated orders.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

Result<std::vector<uint32_t>> AssignListenerFolds(std::span<const std::string> listener_ids, uint32_t folds,
                                                  uint64_t seed) {
  if (folds < 2) return Status::InvalidArgument("at least 2 folds are needed, got " + std::to_string(folds));
  if (folds > listener_ids.size()) {
    return Status::InvalidArgument(std::to_string(folds) + " folds for " + std::to_string(listener_ids.size()) +
                                   " listeners: every fold needs a listener");
  }
  std::vector<uint64_t> key(listener_ids.size());
  for (size_t i = 0; i < key.size(); ++i) key[i] = Mix(Fnv1a64(listener_ids[i]) ^ Mix(seed));
  std::vector<size_t> order(key.size());
  std::iota(order.begin(), order.end(), 0);
  // Ties (equal keys) fall back to the id, so the order never depends on the input order.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return key[a] != key[b] ? key[a] < key[b] : listener_ids[a] < listener_ids[b];
  });
  std::vector<uint32_t> fold(key.size());
  for (size_t rank = 0; rank < order.size(); ++rank) fold[order[rank]] = static_cast<uint32_t>(rank % folds);
  return fold;
}

FoldParts PartsOfFold(std::span<const ExampleInfo> examples, std::span<const uint32_t> fold_of_user, uint32_t fold) {
  FoldParts parts;
  for (size_t i = 0; i < examples.size(); ++i) {
    const ExampleInfo& info = examples[i];
    if (fold_of_user[info.user] == fold) {
      parts.eval.push_back(i);
    } else {
      (IsValidationSession(info.session) ? parts.validation : parts.fit).push_back(i);
    }
  }
  return parts;
}

}  // namespace segue
