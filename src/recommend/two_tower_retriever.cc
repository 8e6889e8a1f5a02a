#include "recommend/two_tower_retriever.h"

#include "features/session_features.h"

namespace segue::recommend {

TwoTowerRetriever::TwoTowerRetriever(std::shared_ptr<const UserEncoder> user, std::shared_ptr<const VectorIndex> index,
                                     std::shared_ptr<const TrackLabels> labels, const Catalog* catalog)
    : user_(std::move(user)), index_(std::move(index)), labels_(std::move(labels)), catalog_(catalog) {}

std::unique_ptr<TwoTowerRetriever> TwoTowerRetriever::FromModel(const RetrievalModel& model,
                                                                std::shared_ptr<const TrackLabels> labels,
                                                                const Catalog* catalog) {
  return std::make_unique<TwoTowerRetriever>(model.user, model.index, std::move(labels), catalog);
}

Status TwoTowerRetriever::Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const {
  out->clear();
  if (n == 0) return Status::Ok();
  if (index_->dim() != user_->dim()) {
    return Status::Internal("two_tower: the index holds " + std::to_string(index_->dim()) + "-d vectors, the user tower makes " +
                            std::to_string(user_->dim()) + "-d");
  }
  std::vector<float> u(static_cast<size_t>(user_->dim()));
  if (query.session != nullptr) {
    user_->EmbedSession(*query.session, *catalog_, u.data());
  } else {
    user_->Embed(FeatureVector{}, DayOfWeekBucket(query.now_ms), u.data());
  }
  std::vector<uint64_t> labels(n);
  std::vector<float> scores(n);
  if (Status s = index_->Search(1, u.data(), n, labels.data(), scores.data()); !s.ok()) return s;
  std::vector<uint32_t> tracks(n);
  labels_->Resolve(labels, tracks);
  for (size_t i = 0; i < n && labels[i] != kNoLabel; ++i) {
    if (tracks[i] != 0) out->push_back({tracks[i], scores[i]});
  }
  return Status::Ok();
}

}  // namespace segue::recommend
