// The track ids every importer of Spotify data gives a track, in one place, so that the plays of an
// extended history, the tracks its --tracks-out writes, MPD playlists and the catalog CSV (whose
// track_id column is the bare id) all name the same track the same way (docs/data.md).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace segue {

// "spotify:track:<id>" → "<id>" (the bare 22-character id). Any other string (e.g. a "spotify:local:…"
// URI) is returned unchanged: it is still a stable id, it just joins nothing.
std::string SpotifyTrackId(std::string_view uri);

// Basic exports name a track only by artist and title: "basic:" + 16 hex digits of FNV-1a 64 of
// `artist` U+001F `title`. Stable across imports; never equal to a Spotify id.
std::string BasicTrackId(std::string_view artist, std::string_view title);

}  // namespace segue
