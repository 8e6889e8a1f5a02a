// Imports a track catalog CSV in the `spotify_songs.csv` layout (TidyTuesday 2020-01-21) into catalog
// Tracks (NDJSON for `POST /v1/tracks`; mapping in docs/data.md).
//
// Columns are found by header name. A track appears once per playlist it was collected from: rows with
// the same track_id become one Track whose genres are the distinct playlist_genre and playlist_subgenre
// values in order of first appearance (genre before subgenre); every other field comes from the first
// row. `NA` means missing: text fields become empty, a missing audio feature drops the whole vector
// (a partial vector would misalign the documented order), missing popularity/duration stay 0.
// audio_features order (kCatalogFeatureColumns): danceability, energy, key, loudness, mode, speechiness,
// acousticness, instrumentalness, liveness, valence, tempo.
// Memory: all distinct tracks are held until the end (to merge later rows), about 300 bytes each.
// Errors (kInvalidArgument) name the file, line and column.
// Thread-safety: none needed (no shared state).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "catalog/track.h"
#include "common/status.h"
#include "importers/event_sink.h"
#include "importers/import_summary.h"

namespace segue {

inline constexpr std::array<std::string_view, 11> kCatalogFeatureColumns = {
    "danceability", "energy",           "key",      "loudness", "mode",  "speechiness",
    "acousticness", "instrumentalness", "liveness", "valence",  "tempo",
};

struct CatalogOptions {
  bool progress = false;
};

Status ImportCatalogCsv(const std::string& path, const CatalogOptions& options, const TrackSink& sink,
                        ImportSummary* summary);

}  // namespace segue
