// Feeds the bytes, as one MSSD session log (log_*.csv), to the MSSD importer (importers/mssd.h): header
// lookup by name, both boolean and date spellings, per-row field parsing. The file goes through the real
// file-reading path (CsvTable over a per-process temporary file, see fuzz_util.h).
// Checks besides crashes, sanitizer reports and leaks: every emitted event carries the fields the server
// requires (importer_checks.h), and the summary counts exactly the events the sink received.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_util.h"
#include "fuzz/importer_checks.h"
#include "importers/mssd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = segue::fuzz::WriteInputFile("log_0.csv", segue::fuzz::AsText(data, size));
  uint64_t emitted = 0;
  segue::ImportSummary summary;
  segue::Status st = segue::ImportMssd(
      {path}, segue::MssdOptions{},
      [&](const segue::Event& e) {
        segue::fuzz::CheckImportedEvent(e);
        ++emitted;
        return segue::Status::Ok();
      },
      &summary);
  if (st.ok()) SEGUE_FUZZ_CHECK(summary.events_written() == emitted);
  return 0;
}
