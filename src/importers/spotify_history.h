// Imports Spotify personal-data streaming histories into Segue events (mapping: docs/data.md).
//
// Formats, detected per file from the first record's field names (never from the file name):
//  - extended ("Extended streaming history": endsong_*.json old schema, Streaming_History_Audio_*.json new
//    schema): a record with `ts` and `ms_played`. Keyed on field names; missing optional or extra keys are
//    fine.
//  - basic (StreamingHistory*.json): a record with `endTime` and `msPlayed`.
// Paths may be files (always read) or folders (searched recursively for endsong*.json,
// Streaming_History_Audio*.json and StreamingHistory*.json, except podcast files).
//
// The listener is `options.user_id` when set, else the name of the folder holding the file (so
// ".../listener-a/endsong_1.json" is user "listener-a"). Each listener's records from all files are
// sorted by `ts` (exports are not sorted), turned into events, and the events written sorted by time
// (stable, so a search precedes its play). Memory: 32 bytes per record plus distinct strings, and one
// whole input file at a time (simdjson needs it in memory).
//
// Tracks (when `options.tracks` is set): every track a kept play names, once, in order of first
// appearance, after all events, with the id the events use (track_ids.h) and the metadata the export
// states: extended → title, artist, album from master_metadata_*; basic → title and artist. No duration
// (ms_played is how long it was heard, not how long the track is). Rules for repeats: TrackCollector.
//
// Errors (kInvalidArgument / kIoError) name the file and the 1-based record: a file that is not a JSON
// array of objects, a record of neither format, a required field missing or of the wrong type, a
// timestamp that does not parse. Nothing is written for an import that fails.
// Thread-safety: none needed (no shared state).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "importers/event_sink.h"
#include "importers/import_summary.h"

namespace segue {

struct SpotifyHistoryOptions {
  std::string user_id;    // empty: derived from each file's folder name
  bool progress = false;  // progress lines on stderr
  TrackSink tracks;       // empty: no tracks collected (saves their memory)
};

// Basic exports carry no skip information: a play shorter than this counts as a skip.
inline constexpr int64_t kBasicSkipThresholdMs = 30000;

Status ImportSpotifyHistory(const std::vector<std::string>& paths, const SpotifyHistoryOptions& options,
                            const EventSink& sink, ImportSummary* summary);

}  // namespace segue
