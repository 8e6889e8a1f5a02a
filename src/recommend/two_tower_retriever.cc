#include "recommend/two_tower_retriever.h"

#include "features/session_features.h"

namespace segue::recommend {

TwoTowerRetriever::TwoTowerRetriever(std::shared_ptr<const UserEncoder> user, std::shared_ptr<const VectorIndex> index,
                                     std::vector<uint32_t> label_tracks, const Catalog* catalog)
    : user_(std::move(user)), index_(std::move(index)), label_tracks_(std::move(label_tracks)), catalog_(catalog) {}

std::unique_ptr<TwoTowerRetriever> TwoTowerRetriever::FromModel(const RetrievalModel& model, Catalog* catalog) {
  std::vector<uint32_t> tracks;
  tracks.reserve(model.track_ids.size());
  for (const std::string& id : model.track_ids) tracks.push_back(catalog->InternTrack(id));
  return std::make_unique<TwoTowerRetriever>(model.user, model.index, std::move(tracks), catalog);
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
  for (size_t i = 0; i < n && labels[i] != kNoLabel; ++i) {
    if (labels[i] >= label_tracks_.size() || label_tracks_[labels[i]] == 0) continue;
    out->push_back({label_tracks_[labels[i]], scores[i]});
  }
  return Status::Ok();
}

}  // namespace segue::recommend
