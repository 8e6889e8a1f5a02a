// A synthetic music catalog: artists with a home genre and language, tracks with genres, audio features,
// Zipf-distributed popularity, explicit flags, release dates and durations.
//
// Contract:
//  - Generate() is deterministic for (params, seed).
//  - Tracks are indexed 0..size()-1; index i has the id TrackId(i) ("sim-t000042") and the full record
//    ToTrack(i) (what `segue simulate --catalog-out` writes and `POST /v1/tracks` accepts).
//  - audio_features in ToTrack() follow the spotify_songs.csv column order (kAudioFeatureNames), in the
//    same units, so simulated and imported catalogs look alike to the rest of the system.
//  - Taste() is the 6-dimensional [0,1] space listeners' tastes live in (kTasteDims).
// Immutable after Generate(): safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/track.h"
#include "sim/sim_params.h"
#include "sim/sim_random.h"

namespace segue::sim {

inline constexpr int kSimGenres = 7;
inline constexpr int kTasteDims = 6;  // danceability, energy, speechiness, acousticness, valence, tempo/250
inline constexpr int kSimLanguages = 6;
using TasteVector = std::array<float, kTasteDims>;

inline constexpr std::array<std::string_view, 11> kAudioFeatureNames = {
    "danceability", "energy",       "key",      "loudness", "mode",  "speechiness",
    "acousticness", "instrumentalness", "liveness", "valence", "tempo"};

std::string_view SimGenreName(int genre);        // "pop", "rock", "rap", "edm", "r&b", "latin", "jazz"
std::string_view SimLanguageName(int language);  // ISO 639-1
TasteVector GenreCentroid(int genre);

struct SimArtist {
  uint8_t genre = 0;
  uint8_t language = 0;
};

struct SimTrack {
  uint32_t artist = 0;
  uint8_t genre = 0;
  uint8_t second_genre = 0xff;  // 0xff = none
  uint8_t language = 0;
  bool explicit_content = false;
  uint32_t duration_ms = 0;
  uint32_t popularity_rank = 0;  // 0 = most popular
  uint16_t release_year = 0;
  uint8_t release_month = 1;
  uint8_t release_day = 1;
  TasteVector taste{};
};

class SyntheticCatalog {
 public:
  static SyntheticCatalog Generate(const CatalogParams& params, uint64_t seed);

  size_t size() const { return tracks_.size(); }
  size_t artist_count() const { return artists_.size(); }
  const SimTrack& track(uint32_t index) const { return tracks_[index]; }
  const SimArtist& artist(uint32_t index) const { return artists_[index]; }
  std::string TrackId(uint32_t index) const;
  std::string ArtistName(uint32_t index) const;
  Track ToTrack(uint32_t index) const;
  // 0..100, from the popularity rank (log scale, like Spotify's popularity).
  float Popularity(uint32_t index) const;

  // A track drawn with probability ∝ its Zipf weight: from the whole catalog (genre < 0) or one genre.
  uint32_t SamplePopular(SimRandom& rng, int genre) const;
  // The Zipf sampling weight of a track (sums to 1 over the catalog).
  double Weight(uint32_t index) const { return weight_[index]; }

 private:
  struct GenreIndex {
    std::vector<uint32_t> tracks;  // most popular first
    std::vector<double> cumulative;  // cumulative Zipf weight, for sampling by binary search
  };
  uint32_t SampleFrom(const GenreIndex& index, SimRandom& rng) const;

  std::vector<SimArtist> artists_;
  std::vector<SimTrack> tracks_;
  std::vector<double> weight_;
  GenreIndex all_;
  std::array<GenreIndex, kSimGenres> by_genre_;
  uint64_t seed_ = 0;
};

}  // namespace segue::sim
