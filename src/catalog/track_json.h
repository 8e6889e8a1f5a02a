// Track ↔ JSON, the catalog wire form of `POST /v1/tracks`, `GET /v1/tracks/{id}` and the NDJSON catalog
// files the importers and the simulator write (schema and limits: docs/api.md).
//
// Contract:
//  - TrackToJson writes keys in schema order: id, title, artist, album, genres, language, duration_ms,
//    release_date, popularity, explicit, audio_features; empty strings and empty arrays are omitted;
//    floats use the shortest text that reads back to the same float. No trailing newline.
//  - ParseTrackJson / ParseTrackBatch validate: `id` is required, every other field optional; types are
//    strict, unknown extra fields are ignored, `null` counts as absent, a key given twice is rejected.
//    Batch framing and whole-body errors are those of event batches (events/json_batch.h): empty or
//    malformed body → kInvalidArgument, too many tracks → kResourceExhausted, a bad track → a Rejection.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/track.h"
#include "common/status.h"
#include "events/batch_format.h"

namespace segue {

struct TrackLimits {
  size_t max_tracks_per_batch = 10000;
  size_t max_id_bytes = 128;
  size_t max_text_bytes = 512;  // title, album
  size_t max_artist_bytes = 256;
  size_t max_genres = 16;
  size_t max_genre_bytes = 64;
  size_t max_language_bytes = 16;
  size_t max_audio_features = 64;
  int64_t max_duration_ms = 24LL * 3600 * 1000;
};

struct ParsedTracks {
  std::vector<Track> tracks;
  std::vector<size_t> source_index;  // source_index[i] = position in the body of tracks[i]
  std::vector<Rejection> rejected;   // in body order
};

// The `release_date` rule: "YYYY", "YYYY-MM" or "YYYY-MM-DD", a real calendar date, year >= 1000.
bool ValidReleaseDate(std::string_view s);

std::string TrackToJson(const Track& track);
void AppendTrackJson(const Track& track, std::string* out);

// One standalone JSON object. Errors are kInvalidArgument "FIELD: REASON".
Result<Track> ParseTrackJson(std::string_view json, const TrackLimits& limits = {});

Result<ParsedTracks> ParseTrackBatch(std::string_view body, BodyFormat format, const TrackLimits& limits = {});

}  // namespace segue
