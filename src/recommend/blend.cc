#include "recommend/blend.h"

#include <algorithm>

#include "recommend/score_accumulator.h"

namespace segue::recommend {

Status BlendRetriever::Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const {
  out->clear();
  ScoreAccumulator acc;
  std::vector<Candidate> list;
  Status last_error = Status::Ok();
  size_t answered = 0;
  for (const BlendSource& source : sources_) {
    if (Status s = source.retriever->Retrieve(query, n, &list); !s.ok()) {
      last_error = s;
      continue;
    }
    ++answered;
    if (list.empty()) continue;
    auto [lo, hi] = std::minmax_element(list.begin(), list.end(),
                                        [](const Candidate& a, const Candidate& b) { return a.score < b.score; });
    const float range = hi->score - lo->score;
    for (const Candidate& c : list) {
      acc.Add(c.track, source.weight * (range > 0 ? (c.score - lo->score) / range : 1.f));
    }
  }
  if (answered == 0 && !sources_.empty()) return last_error;
  acc.TopN(n, out);
  return Status::Ok();
}

}  // namespace segue::recommend
