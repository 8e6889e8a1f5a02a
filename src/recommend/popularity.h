// Popularity baselines: how often each track was engaged with (features/engagement.h), globally,
// within each coarse genre (catalog.h buckets), per hour of day (UTC) and per artist. Fitted by
// streaming the training plays through ObservePlay, and kept fresh while serving by feeding it the
// committed plays the same way: no retrain.
//
// PopularityModel holds the counts; PopularityRetriever is a Retriever view of one of them:
//  - kGlobal ("popularity"): the most engaged tracks; the last fallback of the serving path.
//  - kSessionGenres ("genre_popularity"): popular within the genres of the session's recent plays,
//    each genre weighted by its share of them; nothing for a session without plays.
//  - kHourOfDay ("hour_popularity"): popular at the query's hour of day (UTC): the cold-start answer
//    for a listener the server has never seen.
// "More from the session's artists" (artist_retriever.h) reads the per-artist lists.
//
// Memory: 12 B per interned track (exact count, and the genre and artist it is listed under) +
// fixed-capacity lists of 16 B entries (top_counter.h): top_tracks for the global list and each genre, hour_tracks per
// hour (space-saving), up to artist_tracks per artist seen. Per-genre and per-artist lists are exact
// tops of the exact counts and disjoint: a track whose genre or artist changes in the catalog moves to
// its new list. Per-hour counts are space-saving estimates (top_counter.h).
// Thread-safety: ObservePlay and the Top* reads are safe concurrently (a reader/writer lock); the
// Catalog must outlive the model.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "recommend/retriever.h"
#include "recommend/top_counter.h"

namespace segue::recommend {

struct PopularityOptions {
  size_t top_tracks = 2000;    // global and per-genre list length
  size_t hour_tracks = 500;    // per hour of day
  size_t artist_tracks = 50;   // per artist
};

class PopularityModel {
 public:
  explicit PopularityModel(const Catalog* catalog, PopularityOptions options = {});

  // One ended play starting at `start_ms`; counted when engaged.
  void ObservePlay(const PlayRecord& play, int64_t start_ms);
  // One engagement with `track` at `ts_ms` (a playlist entry, or an engaged play).
  void ObserveEngaged(uint32_t track, int64_t ts_ms);

  // The n most engaged tracks (score = count / the top count) into `out`.
  void TopGlobal(size_t n, std::vector<Candidate>* out) const;
  void TopForHour(int hour, size_t n, std::vector<Candidate>* out) const;
  // Per-genre (weights indexed by genre bucket) or per-artist (weights by interned artist) lists merged:
  // score = Σ weight × count / that list's top count.
  void TopForGenres(const std::array<float, kGenreBuckets>& weights, size_t n, std::vector<Candidate>* out) const;
  void TopForArtists(std::span<const std::pair<uint32_t, float>> artist_weights, size_t n,
                     std::vector<Candidate>* out) const;

  const Catalog& catalog() const { return *catalog_; }
  uint64_t engaged_plays() const;

 private:
  const Catalog* catalog_;
  PopularityOptions options_;
  mutable std::shared_mutex mu_;
  struct TrackStats {
    uint32_t count = 0;   // engaged plays
    uint32_t artist = 0;  // the artist list it is in (0: none)
    uint16_t genre = 0;   // the genre list it is in
  };
  std::vector<TrackStats> tracks_;  // by interned track
  uint64_t total_ = 0;
  TopCounter global_;
  std::array<TopCounter, kGenreBuckets> genre_;
  std::array<TopCounter, 24> hour_;
  std::unordered_map<uint32_t, TopCounter> artist_;
};

enum class PopularityScope { kGlobal, kSessionGenres, kHourOfDay };

class PopularityRetriever : public Retriever {
 public:
  PopularityRetriever(const PopularityModel& model, PopularityScope scope) : model_(model), scope_(scope) {}
  std::string_view name() const override;
  Status Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const override;

 private:
  const PopularityModel& model_;
  PopularityScope scope_;
};

// Hour of day (0..23, UTC) of an event time.
int HourOfDay(int64_t ts_ms);

}  // namespace segue::recommend
