// Track → song-tower inputs of the two-tower retrieval model: the ONE implementation, used by training
// (every catalog track, playlists' and histories' tracks) and by serving (POST /v1/tracks embeds a new
// track with the same function), so a track gets the same inputs wherever it is embedded.
//
// Conventions (as feature_spec.h): categorical ids hash strings, never process-local interned ids, and 0
// means unknown; unknown numeric metadata is 0 with an explicit "known" flag, so a track that is only an
// id (played but not in the catalog) still gets inputs: its hashed id bucket and zeros.
// Release recency is measured against a fixed reference time (the retrieval bundle records the one it
// was trained with), not the wall clock: the same track always gets the same inputs from one bundle.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "catalog/track.h"
#include "features/feature_spec.h"

namespace segue {

// Spotify's audio-feature layout (docs/api.md): danceability, energy, key, loudness, mode, speechiness,
// acousticness, instrumentalness, liveness, valence, tempo. Vectors of another length count as unknown.
inline constexpr int kSongAudioFeatures = 11;
inline constexpr int kLanguageBuckets = 32;  // 1 + Fnv1a64(language) % (kLanguageBuckets - 1); 0 unknown

// Numeric inputs besides the audio features (SongFeatures::numeric index).
enum SongNumeric : int {
  kSongAudioKnown = 0,    // 1 if audio_features has the kSongAudioFeatures layout
  kSongPopularity,        // popularity / 100
  kSongLogAgeYears,       // log(1 + years from release to the reference time), clipped at 0; 0 unknown
  kSongReleaseKnown,      // 1 if release_date parses
  kSongLogDurationMin,    // log(1 + minutes); 0 unknown
  kSongDurationKnown,     // 1 if duration_ms > 0
  kSongExplicit,          // 1 if marked explicit
  kSongNumericEnd
};
inline constexpr int kSongNumeric = static_cast<int>(kSongNumericEnd);

struct SongFeatures {
  uint16_t track = 0;     // TrackBucket(track_id) (session_features.h): never 0 for a non-empty id
  uint16_t artist = 0;    // ArtistBucket(artist)
  uint8_t genre = 0;      // GenreBucket of the first recognised genre (catalog.h)
  uint8_t language = 0;   // LanguageBucket(language)
  std::array<float, kSongAudioFeatures> audio{};  // raw values (the model standardises them); 0 unknown
  std::array<float, kSongNumeric> numeric{};

  bool operator==(const SongFeatures&) const = default;
};

SongFeatures ComputeSongFeatures(const Track& track, int64_t reference_ms);
uint8_t LanguageBucket(std::string_view language);  // 0 for ""

}  // namespace segue
