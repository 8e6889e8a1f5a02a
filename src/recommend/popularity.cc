#include "recommend/popularity.h"

#include <algorithm>
#include <mutex>

#include "features/engagement.h"
#include "recommend/session_context.h"

namespace segue::recommend {
namespace {

// The n best of several weighted lists of DISJOINT tracks (PopularityModel keeps a track in one genre
// list and one artist list), each entry scoring weight × count / its list's top count. Disjoint, so
// only each list's first n can reach the result and no track needs summing: no hash map on this path.
class DisjointMerge {
 public:
  void Add(std::span<const TrackCount> list, float weight, size_t n) {
    if (list.empty() || weight <= 0) return;
    const float scale = weight / static_cast<float>(list.front().count);
    for (const TrackCount& e : list.first(std::min(n, list.size()))) {
      all_.push_back({e.track, scale * static_cast<float>(e.count)});
    }
  }
  void TopN(size_t n, std::vector<Candidate>* out) {
    auto better = [](const Candidate& a, const Candidate& b) {
      return a.score != b.score ? a.score > b.score : a.track < b.track;
    };
    const size_t k = std::min(n, all_.size());
    std::partial_sort(all_.begin(), all_.begin() + static_cast<std::ptrdiff_t>(k), all_.end(), better);
    all_.resize(k);
    *out = std::move(all_);
  }

 private:
  std::vector<Candidate> all_;
};

void CopyTop(std::span<const TrackCount> list, size_t n, std::vector<Candidate>* out) {
  DisjointMerge merge;
  merge.Add(list, 1.f, n);
  merge.TopN(n, out);
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
  const uint16_t genre = meta.genre < kGenreBuckets ? meta.genre : 0;
  std::unique_lock lock(mu_);
  if (tracks_.size() <= track) tracks_.resize(static_cast<size_t>(track) + 1);
  TrackStats& t = tracks_[track];
  // Keep the per-genre and per-artist lists disjoint (their merges rely on it) when the catalog moved it.
  if (t.count > 0 && t.genre != genre) genre_[t.genre].Remove(track);
  if (t.count > 0 && t.artist != meta.artist && t.artist != 0) {
    if (auto it = artist_.find(t.artist); it != artist_.end()) it->second.Remove(track);
  }
  const uint32_t count = ++t.count;
  t.genre = genre;
  t.artist = meta.artist;
  ++total_;
  global_.Offer(track, count);
  genre_[genre].Offer(track, count);
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
  DisjointMerge merge;
  {
    std::shared_lock lock(mu_);
    for (size_t g = 0; g < weights.size(); ++g) merge.Add(genre_[g].top(), weights[g], n);
  }
  merge.TopN(n, out);
}

void PopularityModel::TopForArtists(std::span<const std::pair<uint32_t, float>> artist_weights, size_t n,
                                    std::vector<Candidate>* out) const {
  DisjointMerge merge;
  {
    std::shared_lock lock(mu_);
    for (const auto& [artist, weight] : artist_weights) {
      auto it = artist_.find(artist);
      if (it != artist_.end()) merge.Add(it->second.top(), weight, n);
    }
  }
  merge.TopN(n, out);
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
