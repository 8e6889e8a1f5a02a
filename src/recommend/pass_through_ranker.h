// PassThroughRanker: keeps the retriever's scores (and so its order). The baseline every learned ranker
// must beat, and the ranker when none is loaded. Stateless; thread-safe.
#pragma once

#include "recommend/ranker.h"

namespace segue::recommend {

class PassThroughRanker : public Ranker {
 public:
  std::string_view name() const override { return "pass_through"; }

  Status Score(const RetrievalQuery&, std::span<const Candidate> candidates, std::vector<float>* scores) const override {
    scores->resize(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i) (*scores)[i] = candidates[i].score;
    return Status::Ok();
  }
};

}  // namespace segue::recommend
