// Reads playlists for `segue eval retrieval --playlists`: the NDJSON `segue import mpd` writes (one
// playlist object a line, mpd.h: playlist_id, tracks, modified_at_ms), or a CSV in the
// `spotify_songs.csv` layout (a file ending in .csv: rows grouped by playlist_id, track_id per row, in
// file order; a track listed twice in a playlist is kept once).
// Track ids are interned through the Catalog. Errors (kInvalidArgument / kIoError) name the file, the
// line and the field; a file with no playlist is an error.
// Thread-safety: reentrant (the Catalog locks internally).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"

namespace segue::recommend {

struct PlaylistTracks {
  std::string playlist_id;
  int64_t modified_at_ms = 0;   // 0 when unknown
  std::vector<uint32_t> tracks;  // interned, in playlist order
};

Result<std::vector<PlaylistTracks>> ReadPlaylistFile(const std::string& path, Catalog* catalog);

}  // namespace segue::recommend
