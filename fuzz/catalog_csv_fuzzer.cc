// Feeds the bytes, as one `spotify_songs.csv`-layout catalog file, to the catalog importer
// (importers/catalog_csv.h): header lookup, NA handling, number parsing, merging rows of one track_id.
// The file goes through the real file-reading path (a per-process temporary file, see fuzz_util.h).
// Checks besides crashes, sanitizer reports and leaks: every emitted track is one `POST /v1/tracks`
// accepts unchanged, i.e. TrackToJson of it parses back (server limits) to an equal Track; the importer
// truncates and bounds fields to those limits precisely so that this holds.
#include <cstddef>
#include <cstdint>

#include "catalog/track_json.h"
#include "fuzz/fuzz_util.h"
#include "importers/catalog_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = segue::fuzz::WriteInputFile("spotify_songs.csv", segue::fuzz::AsText(data, size));
  segue::ImportSummary summary;
  (void)segue::ImportCatalogCsv(
      path, segue::CatalogOptions{},
      [](const segue::Track& t) {
        segue::Result<segue::Track> again = segue::ParseTrackJson(segue::TrackToJson(t));
        SEGUE_FUZZ_CHECK(again.ok());
        SEGUE_FUZZ_CHECK(*again == t);
        return segue::Status::Ok();
      },
      &summary);
  return 0;
}
