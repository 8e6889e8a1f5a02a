#include "recommend/popularity.h"

#include <algorithm>
#include <mutex>

#include "features/engagement.h"
#include "recommend/session_context.h"

namespace segue::recommend {
namespace {

// Adds weight × count / top count for each entry of a list.
void AddList(std::span<const TrackCount> list, float weight, ScoreAccumulator* acc) {
  if (list.empty() || weight <= 0) return;
  const float top = static_cast<float>(list.front().count);
  for (const TrackCount& e : list) acc->Add(e.track, weight * static_cast<float>(e.count) / top);
}

void CopyTop(std::span<const TrackCount> list, size_t n, std::vector<Candidate>* out) {
  out->clear();
  ScoreAccumulator acc;
  AddList(list.first(std::min(n, list.size())), 1.f, &acc);
  acc.TopN(n, out);
}

constexpr size_t kGenreContextPlays = 20;

}  // namespace

int HourOfDay(int64_t ts_ms) {
  constexpr int64_t kHourMs = 3600 * 1000;
  return static_cast<int>(((ts_ms / kHourMs) % 24 + 24) % 24);
}

PopularityModel::PopularityModel(const Catalog* catalog, PopularityOptions options)
    : catalog_(catalog), options_(options), global_(options.top_tracks) {
  genre_.fill(TopCounter(options.top_tracks));
  hour_.fill(TopCounter(options.hour_tracks));
}

void PopularityModel::ObservePlay(const PlayRecord& play, int64_t start_ms) {
  if (IsEngagedPlay(play)) ObserveEngaged(play.track, start_ms);
}

void PopularityModel::ObserveEngaged(uint32_t track, int64_t ts_ms) {
  if (track == 0) return;
  const TrackMeta meta = catalog_->Meta(track);
  std::unique_lock lock(mu_);
  if (counts_.size() <= track) counts_.resize(static_cast<size_t>(track) + 1, 0);
  const uint32_t count = ++counts_[track];
  ++total_;
  global_.Offer(track, count);
  genre_[meta.genre < kGenreBuckets ? meta.genre : 0].Offer(track, count);
  hour_[static_cast<size_t>(HourOfDay(ts_ms))].Increment(track);
  if (meta.artist != 0) {
    artist_.try_emplace(meta.artist, options_.artist_tracks).first->second.Offer(track, count);
  }
}

uint64_t PopularityModel::engaged_plays() const {
  std::shared_lock lock(mu_);
  return total_;
}

void PopularityModel::TopGlobal(size_t n, std::vector<Candidate>* out) const {
  std::shared_lock lock(mu_);
  CopyTop(global_.top(), n, out);
}

void PopularityModel::TopForHour(int hour, size_t n, std::vector<Candidate>* out) const {
  std::shared_lock lock(mu_);
  CopyTop(hour_[static_cast<size_t>(hour % 24)].top(), n, out);
}

void PopularityModel::TopForGenres(const std::array<float, kGenreBuckets>& weights, size_t n,
                                   std::vector<Candidate>* out) const {
  ScoreAccumulator acc;
  {
    std::shared_lock lock(mu_);
    for (size_t g = 0; g < weights.size(); ++g) AddList(genre_[g].top(), weights[g], &acc);
  }
  acc.TopN(n, out);
}

void PopularityModel::TopForArtists(std::span<const std::pair<uint32_t, float>> artist_weights, size_t n,
                                    std::vector<Candidate>* out) const {
  ScoreAccumulator acc;
  {
    std::shared_lock lock(mu_);
    for (const auto& [artist, weight] : artist_weights) {
      auto it = artist_.find(artist);
      if (it != artist_.end()) AddList(it->second.top(), weight, &acc);
    }
  }
  acc.TopN(n, out);
}

std::string_view PopularityRetriever::name() const {
  switch (scope_) {
    case PopularityScope::kGlobal: return "popularity";
    case PopularityScope::kSessionGenres: return "genre_popularity";
    case PopularityScope::kHourOfDay: return "hour_popularity";
  }
  return "popularity";
}

Status PopularityRetriever::Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const {
  out->clear();
  switch (scope_) {
    case PopularityScope::kGlobal:
      model_.TopGlobal(n, out);
      break;
    case PopularityScope::kHourOfDay:
      model_.TopForHour(HourOfDay(query.now_ms), n, out);
      break;
    case PopularityScope::kSessionGenres: {
      const std::vector<ContextPlay> context = RecentContext(query.session, kGenreContextPlays, 1.f);
      if (context.empty()) break;
      std::array<float, kGenreBuckets> weights{};
      for (const ContextPlay& c : context) {
        const uint16_t genre = model_.catalog().Meta(c.track).genre;
        weights[genre < kGenreBuckets ? genre : 0] += 1.f / static_cast<float>(context.size());
      }
      model_.TopForGenres(weights, n, out);
      break;
    }
  }
  return Status::Ok();
}

}  // namespace segue::recommend
