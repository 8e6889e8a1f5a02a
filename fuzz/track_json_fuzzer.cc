// Feeds the bytes to the catalog track parser (catalog/track_json.h): as one standalone track
// (ParseTrackJson) and as a JSON-array and an NDJSON batch (ParseTrackBatch), the bodies of
// `POST /v1/tracks` and the lines of the catalog files the importers write.
// Checks besides crashes, sanitizer reports and leaks:
//  - every accepted track writes back (TrackToJson) to JSON that parses to an equal Track (the catalog
//    is persisted in that form and reloaded on restart, serving/catalog_store.cc);
//  - a batch's accepted positions are strictly increasing.
#include <cstddef>
#include <cstdint>

#include "catalog/track_json.h"
#include "fuzz/fuzz_util.h"

namespace {

using segue::Track;
using segue::TrackLimits;

void CheckRoundTrip(const Track& track, const TrackLimits& limits) {
  segue::Result<Track> again = segue::ParseTrackJson(segue::TrackToJson(track), limits);
  SEGUE_FUZZ_CHECK(again.ok());
  SEGUE_FUZZ_CHECK(*again == track);
}

void CheckBatch(std::string_view body, segue::BodyFormat format, const TrackLimits& limits) {
  segue::Result<segue::ParsedTracks> batch = segue::ParseTrackBatch(body, format, limits);
  if (!batch.ok()) return;
  SEGUE_FUZZ_CHECK(batch->tracks.size() == batch->source_index.size());
  for (size_t i = 1; i < batch->source_index.size(); ++i) {
    SEGUE_FUZZ_CHECK(batch->source_index[i - 1] < batch->source_index[i]);
  }
  for (const Track& t : batch->tracks) CheckRoundTrip(t, limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = segue::fuzz::AsText(data, size);
  const TrackLimits limits;  // the server's defaults
  if (segue::Result<Track> track = segue::ParseTrackJson(body, limits); track.ok()) CheckRoundTrip(*track, limits);
  CheckBatch(body, segue::BodyFormat::kJsonArray, limits);
  CheckBatch(body, segue::BodyFormat::kNdjson, limits);
  return 0;
}
