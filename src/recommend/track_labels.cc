#include "recommend/track_labels.h"

#include <mutex>

namespace segue::recommend {

TrackLabels::TrackLabels(std::vector<uint32_t> label_tracks) : tracks_(std::move(label_tracks)) {
  labels_.reserve(tracks_.size());
  for (size_t label = 0; label < tracks_.size(); ++label) {
    if (tracks_[label] != 0) labels_.try_emplace(tracks_[label], label);
  }
}

std::shared_ptr<TrackLabels> TrackLabels::Intern(const std::vector<std::string>& track_ids, Catalog* catalog) {
  std::vector<uint32_t> tracks;
  tracks.reserve(track_ids.size());
  for (const std::string& id : track_ids) tracks.push_back(catalog->InternTrack(id));
  return std::make_shared<TrackLabels>(std::move(tracks));
}

size_t TrackLabels::size() const {
  std::shared_lock lock(mu_);
  return tracks_.size();
}

void TrackLabels::Resolve(std::span<const uint64_t> labels, std::span<uint32_t> tracks) const {
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < labels.size(); ++i) tracks[i] = labels[i] < tracks_.size() ? tracks_[labels[i]] : 0;
}

std::optional<uint64_t> TrackLabels::LabelOf(uint32_t track) const {
  std::shared_lock lock(mu_);
  auto it = labels_.find(track);
  if (it == labels_.end()) return std::nullopt;
  return it->second;
}

TrackLabels::Assigned TrackLabels::LabelFor(uint32_t track) {
  std::unique_lock lock(mu_);
  auto [it, appended] = labels_.try_emplace(track, tracks_.size());
  if (appended) tracks_.push_back(track);
  return {it->second, appended};
}

}  // namespace segue::recommend
