// Feeds the bytes, as one streaming-history file, to the Spotify importer (importers/spotify_history.h),
// which detects the extended or basic schema from the first record. The file goes through the real
// file-reading path (written to a per-process temporary directory, see fuzz_util.h).
// Checks besides crashes, sanitizer reports and leaks: every emitted event carries the fields the server
// requires (importer_checks.h), and the summary counts exactly the events the sink received.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_util.h"
#include "fuzz/importer_checks.h"
#include "importers/spotify_history.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = segue::fuzz::WriteInputFile("endsong_0.json", segue::fuzz::AsText(data, size));
  segue::SpotifyHistoryOptions options;
  options.user_id = "fuzz-listener";  // else derived from the temporary directory's name
  uint64_t emitted = 0;
  segue::ImportSummary summary;
  segue::Status st = segue::ImportSpotifyHistory(
      {path}, options,
      [&](const segue::Event& e) {
        segue::fuzz::CheckImportedEvent(e);
        ++emitted;
        return segue::Status::Ok();
      },
      &summary);
  if (st.ok()) SEGUE_FUZZ_CHECK(summary.events_written() == emitted);
  return 0;
}
