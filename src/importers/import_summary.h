// ImportSummary: what an import read, wrote and dropped, reported on stderr (text) or stdout (`--json`).
// Every importer fills one; the figures are counts, never estimates. Plain value type; not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "events/event.h"

namespace segue {

struct ImportSummary {
  std::string format;                        // "spotify-history", "mssd", "catalog", "mpd"
  std::map<std::string, uint64_t> files;     // detected file format → files read
  uint64_t records_read = 0;                 // source records (JSON objects, CSV data rows, MPD playlists)
  std::array<uint64_t, kEventTypeCount> events_by_type{};
  uint64_t tracks_written = 0;
  uint64_t playlists_written = 0;
  std::map<std::string, uint64_t> skipped;   // reason → source records that produced nothing
  std::map<std::string, uint64_t> notes;     // other counted decisions (e.g. "skip_inferred_under_30s")

  uint64_t events_written() const;
  // One JSON object, keys: format, files, records_read, events_written, events_by_type, tracks_written,
  // playlists_written, skipped, notes.
  std::string ToJson() const;
  // A few human-readable lines.
  std::string ToText() const;
};

// Prints "segue import: N records read" on stderr every `every` records when enabled, so long imports
// show they are alive.
class ImportProgress {
 public:
  explicit ImportProgress(bool enabled, uint64_t every = 100000) : enabled_(enabled), every_(every) {}
  void Record(uint64_t records_read);

 private:
  bool enabled_;
  uint64_t every_;
};

}  // namespace segue
