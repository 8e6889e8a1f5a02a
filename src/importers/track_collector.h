// TrackCollector: the tracks an import of plays or playlists meets, each once, for its --tracks-out
// catalog (NDJSON loadable by POST /v1/tracks and `--catalog`).
//
// Contract: Add() is called for every occurrence of a track. The first occurrence of an id fixes its
// place in the output (order of first appearance, so output is deterministic). A field the held track
// lacks (empty title/artist/album, duration 0) is filled from a later occurrence that has it; a later
// non-empty value that differs from the held one is ignored and counted (note
// "track_metadata_differs_first_kept"). Texts are cut at a UTF-8 boundary to the server's limits
// (TrackLimits; notes "truncated_title", "truncated_artist", "truncated_album"), so every track written is
// accepted. Memory: every distinct track is held until Emit().
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/track.h"
#include "common/status.h"
#include "importers/event_sink.h"
#include "importers/import_summary.h"

namespace segue {

class TrackCollector {
 public:
  explicit TrackCollector(ImportSummary* summary) : summary_(summary) {}

  // `duration_ms` 0 = not stated by the source.
  void Add(const std::string& id, std::string_view title, std::string_view artist, std::string_view album,
           uint32_t duration_ms = 0);
  size_t size() const { return tracks_.size(); }
  // Hands every track to `sink` in order of first appearance and counts them in tracks_written.
  Status Emit(const TrackSink& sink) const;

 private:
  void Fill(std::string* held, std::string_view value, size_t max_bytes, const char* field);

  ImportSummary* summary_;
  std::vector<Track> tracks_;
  std::unordered_map<std::string, size_t> by_id_;
};

}  // namespace segue
