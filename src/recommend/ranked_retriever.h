// RankedRetriever: a retriever followed by a ranker, as one Retriever, so `segue eval retrieval` measures
// the served pipeline's model stage (top `pool` of the retriever → Rerank, ranker.h) on the same
// queries as the retriever alone. Named "<retriever>+<ranker>" (e.g. "blend+xgboost"). A ranker that
// fails keeps the retriever's order, as in the recommender.
// Thread-safety: Retrieve is safe concurrently when the retriever's and ranker's are; both must outlive it.
#pragma once

#include <algorithm>
#include <string>

#include "recommend/ranker.h"
#include "recommend/retriever.h"

namespace segue::recommend {

class RankedRetriever : public Retriever {
 public:
  RankedRetriever(const Retriever& retriever, const Ranker& ranker, size_t pool)
      : retriever_(retriever), ranker_(ranker), pool_(pool),
        name_(std::string(retriever.name()) + "+" + std::string(ranker.name())) {}

  std::string_view name() const override { return name_; }

  // The top max(n, pool) of the retriever, re-ranked, cut to n.
  Status Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const override {
    if (Status s = retriever_.Retrieve(query, std::max(n, pool_), out); !s.ok()) return s;
    (void)Rerank(ranker_, query, out);
    if (out->size() > n) out->resize(n);
    return Status::Ok();
  }

 private:
  const Retriever& retriever_;
  const Ranker& ranker_;
  size_t pool_;
  std::string name_;
};

}  // namespace segue::recommend
