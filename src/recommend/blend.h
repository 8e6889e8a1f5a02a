// BlendRetriever: a weighted merge of several retrievers (e.g. session-kNN + own_history + popularity),
// so the serving path can use a blend as its retriever. Each source is asked for n candidates, its
// scores are min-max normalised to [0, 1] within its list (scores of different retrievers are not
// comparable), and a track's blended score is Σ weight × normalised score.
// A source that fails is left out; the blend fails only when every source failed.
// Thread-safety: Retrieve is safe concurrently when the sources' are; sources must outlive the blend.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "recommend/retriever.h"

namespace segue::recommend {

struct BlendSource {
  const Retriever* retriever = nullptr;
  float weight = 1.f;
};

class BlendRetriever : public Retriever {
 public:
  BlendRetriever(std::string name, std::vector<BlendSource> sources) : name_(std::move(name)), sources_(std::move(sources)) {}

  std::string_view name() const override { return name_; }
  Status Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const override;

 private:
  std::string name_;
  std::vector<BlendSource> sources_;
};

}  // namespace segue::recommend
