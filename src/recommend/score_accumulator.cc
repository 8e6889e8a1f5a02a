#include "recommend/score_accumulator.h"

#include <algorithm>

namespace segue::recommend {

void ScoreAccumulator::Add(uint32_t track, float score) {
  auto [it, inserted] = index_.try_emplace(track, scores_.size());
  if (inserted) {
    scores_.push_back({track, score});
  } else {
    scores_[it->second].score += score;
  }
}

void ScoreAccumulator::TopN(size_t n, std::vector<Candidate>* out) const {
  *out = scores_;
  auto better = [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.track < b.track;
  };
  const size_t k = std::min(n, out->size());
  std::partial_sort(out->begin(), out->begin() + static_cast<ptrdiff_t>(k), out->end(), better);
  out->resize(k);
}

}  // namespace segue::recommend
