// Imports Million Playlist Dataset slices (mpd.slice.*.json: {"info": …, "playlists": [{pid, name,
// tracks: [{track_uri, track_name, artist_name, album_name, duration_ms, …}], …}]}) into Segue playlists
// (NDJSON, schema below and in docs/data.md) and catalog tracks (NDJSON for POST /v1/tracks).
//
// Ids: playlist_id = "mpd:" + pid; track ids = SpotifyTrackId(track_uri) (track_ids.h), the ids the
// Spotify-history importer gives the plays of the same URI, so playlists and histories join.
// A playlist's tracks are listed in array order (MPD's `pos` runs 0..n-1 in that order), repeats kept.
// Tracks are written once each after all files, in order of first appearance, with title, artist, album
// and duration_ms (rules for repeats: TrackCollector). A pid already read (in this or an earlier file)
// is skipped (counted as "duplicate_pid"). Keys other than those read are ignored (num_tracks,
// num_albums, num_artists, duration_ms of a playlist are derivable; pos, artist_uri, album_uri unused).
//
// Each file is held whole (simdjson; a full slice is tens of MB); playlists are streamed to the sink.
// Errors (kInvalidArgument / kIoError) name the file, the line (and column) where the parser stopped and,
// inside the playlists, the 1-based playlist (with its pid when read) and track and the field: a file
// that is not JSON, a playlist without pid or tracks, a track without track_uri, a value of the wrong
// type. Nothing is written for an import that fails (the caller commits outputs only on success).
// Thread-safety: none needed (no shared state).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "importers/event_sink.h"
#include "importers/import_summary.h"

namespace segue {

struct Playlist {
  std::string playlist_id;  // "mpd:<pid>"
  std::string name;
  std::string description;   // optional in MPD; "" when absent
  bool collaborative = false;
  int64_t modified_at_ms = 0;  // MPD's modified_at (seconds, rounded to midnight UTC) × 1000
  int64_t num_followers = 0;
  int64_t num_edits = 0;
  std::vector<std::string> track_ids;  // in playlist order, repeats kept
};

// One JSON object, keys in this order: playlist_id, name, description (omitted when empty),
// collaborative, modified_at_ms, num_followers, num_edits, tracks (array of track ids). No newline.
void AppendPlaylistJson(const Playlist& playlist, std::string* out);

using PlaylistSink = std::function<Status(const Playlist&)>;

struct MpdOptions {
  bool progress = false;  // a progress line on stderr every 10,000 playlists
  TrackSink tracks;       // empty: tracks not collected
};

Status ImportMpd(const std::vector<std::string>& files, const MpdOptions& options, const PlaylistSink& playlists,
                 ImportSummary* summary);

}  // namespace segue
