// A catalog track, and the compact per-track metadata the hot paths (session tracker, features) use.
// Plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace segue {

struct Track {
  std::string track_id;
  std::string title;
  std::string artist;
  std::string album;
  std::vector<std::string> genres;
  std::string language;       // ISO 639-1 where known, "" otherwise
  uint32_t duration_ms = 0;
  std::string release_date;   // "YYYY", "YYYY-MM" or "YYYY-MM-DD"
  float popularity = 0;       // 0..100
  bool explicit_content = false;
  std::vector<float> audio_features;  // numeric vector; layout documented in docs/api.md

  bool operator==(const Track&) const = default;
};

// What features need about a track, in 16 bytes. Ids are interned by the Catalog (0 = unknown).
struct TrackMeta {
  uint32_t artist = 0;
  uint32_t duration_ms = 0;
  uint16_t genre = 0;      // coarse genre bucket, 0 = unknown (see catalog.h)
  uint16_t language = 0;   // interned language, 0 = unknown
  uint8_t popularity = 0;  // 0..100
  bool explicit_content = false;
  bool known = false;      // false for tracks events named that are not in the catalog
};

}  // namespace segue
