#include "features/song_features.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <cmath>

#include "catalog/catalog.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "features/session_features.h"

namespace segue {
namespace {

constexpr double kMsPerYear = 365.2425 * 24 * 3'600'000.0;

// Epoch ms of a release date "YYYY", "YYYY-MM" or "YYYY-MM-DD" (missing parts = 1); nullopt otherwise.
std::optional<int64_t> ReleaseMs(std::string_view date) {
  int parts[3] = {0, 1, 1};
  const size_t lengths[3] = {4, 2, 2};
  size_t pos = 0;
  for (int i = 0; i < 3 && pos < date.size(); ++i) {
    if (i > 0 && date[pos++] != '-') return std::nullopt;
    const char* begin = date.data() + pos;
    auto [end, ec] = std::from_chars(begin, date.data() + std::min(date.size(), pos + lengths[i]), parts[i]);
    if (ec != std::errc() || static_cast<size_t>(end - begin) != lengths[i]) return std::nullopt;
    pos += lengths[i];
  }
  if (pos != date.size() || parts[0] < 1000 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31) {
    return std::nullopt;
  }
  return DaysFromCivil(parts[0], static_cast<unsigned>(parts[1]), static_cast<unsigned>(parts[2])) * 86'400'000;
}

}  // namespace

uint8_t LanguageBucket(std::string_view language) {
  if (language.empty()) return 0;
  return static_cast<uint8_t>(1 + Fnv1a64(language) % (kLanguageBuckets - 1));
}

SongFeatures ComputeSongFeatures(const Track& track, int64_t reference_ms) {
  SongFeatures f;
  f.track = TrackBucket(track.track_id);
  f.artist = ArtistBucket(track.artist);
  f.genre = static_cast<uint8_t>(std::min<int>(TrackGenreBucket(track), kGenreVocab - 1));
  f.language = LanguageBucket(track.language);
  if (track.audio_features.size() == static_cast<size_t>(kSongAudioFeatures)) {
    std::copy(track.audio_features.begin(), track.audio_features.end(), f.audio.begin());
    f.numeric[kSongAudioKnown] = 1;
  }
  f.numeric[kSongPopularity] = std::clamp(track.popularity, 0.f, 100.f) / 100.f;
  if (std::optional<int64_t> released = ReleaseMs(track.release_date)) {
    const double years = std::max(0.0, static_cast<double>(reference_ms - *released) / kMsPerYear);
    f.numeric[kSongLogAgeYears] = static_cast<float>(std::log1p(years));
    f.numeric[kSongReleaseKnown] = 1;
  }
  if (track.duration_ms > 0) {
    f.numeric[kSongLogDurationMin] = static_cast<float>(std::log1p(track.duration_ms / 60'000.0));
    f.numeric[kSongDurationKnown] = 1;
  }
  f.numeric[kSongExplicit] = track.explicit_content ? 1.f : 0.f;
  return f;
}

}  // namespace segue
