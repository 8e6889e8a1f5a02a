#include "recommend/track_indexer.h"

#include <algorithm>

namespace segue::recommend {

TrackIndexer::TrackIndexer(const Catalog* catalog, std::function<void(const Status&)> on_error)
    : catalog_(catalog), on_error_(std::move(on_error)), worker_([this] { Run(); }) {}

TrackIndexer::~TrackIndexer() {
  {
    std::lock_guard lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  worker_.join();
}

void TrackIndexer::OnTracksChanged(std::span<const uint32_t> tracks) {
  {
    std::lock_guard lock(queue_mu_);
    for (uint32_t t : tracks) {
      if (t == 0) continue;
      changed_.insert(t);
      if (queued_.insert(t).second) queue_.push_back(t);
    }
  }
  queue_cv_.notify_one();
}

void TrackIndexer::Flush() {
  std::unique_lock lock(queue_mu_);
  idle_cv_.wait(lock, [this] { return stop_ || (queue_.empty() && !busy_); });
}

void TrackIndexer::Run() {
  for (;;) {
    std::vector<uint32_t> batch;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) break;
      batch.swap(queue_);
      queued_.clear();
      busy_ = true;
    }
    for (size_t i = 0; i < batch.size(); i += kMaxBatch) {
      IndexQueued(std::span<const uint32_t>(batch).subspan(i, std::min(kMaxBatch, batch.size() - i)));
    }
    {
      std::lock_guard lock(queue_mu_);
      busy_ = false;
    }
    idle_cv_.notify_all();
  }
  idle_cv_.notify_all();  // Flush callers waiting at shutdown
}

void TrackIndexer::IndexQueued(std::span<const uint32_t> batch) {
  std::lock_guard lock(state_mu_);
  if (!target_) return;  // the next Adopt embeds them (they are in changed_)
  std::vector<uint32_t> ids;
  std::vector<Track> tracks;
  for (uint32_t id : batch) {
    std::optional<Track> t = catalog_->Get(catalog_->TrackIdOf(id));
    if (!t) continue;
    ids.push_back(id);
    tracks.push_back(std::move(*t));
  }
  Counts counts;
  // Index adds the batch's vectors in one call at its end: on an error none of them reached the index.
  if (Status s = Index(*target_, ids, tracks, &counts); !s.ok()) {
    if (on_error_) on_error_(s);
    return;
  }
  inserted_ += counts.appended;
  replaced_ += counts.replaced;
  unchanged_ += counts.unchanged;
}

Result<size_t> TrackIndexer::Adopt(SongIndexTarget target, const std::function<void()>& publish) {
  if (target.song->dim() != target.index->dim()) {
    return Status::InvalidArgument("track indexer: the song tower makes " + std::to_string(target.song->dim()) +
                                   "-d vectors, the index holds " + std::to_string(target.index->dim()) + "-d");
  }
  std::lock_guard lock(state_mu_);
  std::unordered_set<uint32_t> changed;  // a copy: named until now, including ids still queued or in a batch
  {
    std::lock_guard queue_lock(queue_mu_);
    changed = changed_;
  }
  std::vector<uint32_t> ids;
  std::vector<Track> tracks;
  catalog_->ForEachTrack([&](uint32_t id, const Track& t) {
    if (changed.contains(id) || !target.labels->LabelOf(id)) {
      ids.push_back(id);
      tracks.push_back(t);
    }
  });
  Counts counts;
  if (Status s = Index(target, ids, tracks, &counts); !s.ok()) return s;
  publish();
  target_ = std::move(target);
  return counts.appended + counts.replaced;
}

// Labels first, vectors second: a search can return a vector only once its label resolves.
Status TrackIndexer::Index(const SongIndexTarget& target, const std::vector<uint32_t>& ids,
                           const std::vector<Track>& tracks, Counts* counts) {
  const size_t dim = static_cast<size_t>(target.song->dim());
  std::vector<float> vectors(ids.size() * dim);
  std::vector<uint64_t> labels;
  labels.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    float* v = &vectors[labels.size() * dim];
    target.song->EmbedTrack(tracks[i], v);
    const TrackLabels::Assigned a = target.labels->LabelFor(ids[i]);
    if (!a.appended) {
      uint64_t nearest = kNoLabel;
      float score = 0;
      if (Status s = target.index->Search(1, v, 1, &nearest, &score); !s.ok()) return s;
      if (nearest == a.label && score >= 1.0f - kSameVector) {
        ++counts->unchanged;
        continue;
      }
    }
    ++(a.appended ? counts->appended : counts->replaced);
    labels.push_back(a.label);
  }
  return target.index->Add(labels.size(), vectors.data(), labels.data());
}

}  // namespace segue::recommend
