// The track catalog: full records by id plus interned ids and compact TrackMeta for the hot paths.
//
// Contract:
//  - Track ids, artists and languages are interned to small integers for the lifetime of the process
//    (0 means unknown). Interned ids are NOT stable across restarts: persist strings, not ids.
//  - Events may name tracks that are not in the catalog: InternTrack() still gives them an id and
//    Meta() returns a TrackMeta with known == false (features treat every field as missing).
//  - Genres map to a fixed set of coarse buckets (kGenreBuckets) so models have a stable vocabulary.
// Thread-safety: all methods are safe to call concurrently (reader/writer lock inside).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/track.h"
#include "common/status.h"

namespace segue {

inline constexpr int kGenreBuckets = 8;  // 0 unknown + 7 coarse genres; see GenreBucket()

// Coarse genre bucket of a free-text genre ("pop", "r&b", "hip hop", ...). 0 when unrecognised.
// Buckets: 1 pop, 2 rock, 3 hip-hop, 4 electronic, 5 r&b, 6 latin, 7 other (the table is in docs/api.md).
uint16_t GenreBucket(std::string_view genre);
// "unknown", "pop", "rock", "hip-hop", "electronic", "r&b", "latin", "other".
std::string_view GenreBucketName(uint16_t bucket);
// A track's bucket: that of its first genre that maps to one (TrackMeta::genre, the song tower's genre).
uint16_t TrackGenreBucket(const Track& track);

// Memory bounds: once this many distinct track ids (from the catalog and from events) or artists are
// interned, new ones get id 0 (unknown) instead of growing the tables further. ~100 bytes per entry.
inline constexpr size_t kMaxInternedTracks = size_t{1} << 24;
inline constexpr size_t kMaxInternedArtists = size_t{1} << 22;

class Catalog {
 public:
  Catalog();
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Inserts or replaces a track (validated by the caller, see track_json.h). True when the catalog
  // changed: the track is new or its record differs (what a song-embedding index must re-embed).
  bool Upsert(Track track);
  std::optional<Track> Get(std::string_view track_id) const;
  size_t size() const;
  // Calls fn(interned id, track) for every catalog track, in interned-id order (deterministic for a
  // given load order). Holds the read lock: fn must not write to the catalog.
  void ForEachTrack(const std::function<void(uint32_t, const Track&)>& fn) const;

  uint32_t InternTrack(std::string_view track_id);
  // The id of an already-interned track, or 0.
  uint32_t FindTrack(std::string_view track_id) const;
  std::string TrackIdOf(uint32_t interned) const;  // "" for 0 / unknown
  uint32_t InternArtist(std::string_view artist);
  // The name of an interned artist (TrackMeta::artist); "" for 0 / unknown. Features hash it, because
  // interned ids differ between processes.
  std::string ArtistOf(uint32_t interned_artist) const;
  TrackMeta Meta(uint32_t interned_track) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace segue
