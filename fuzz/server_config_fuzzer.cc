// Feeds the bytes, as a `segue serve --config` TOML file, to LoadServerConfig (serving/server_config.h:
// toml++ parsing, then our key/type/range checks), and a loaded config to ValidateServerConfig.
// The file goes through the real file-reading path (a per-process temporary file, see fuzz_util.h).
// Checks besides crashes, sanitizer reports and leaks: a failed load is kInvalidArgument (the one code
// the loader documents, also for toml++'s own errors), and a successful load leaves the values that size
// allocations and threads inside their documented ranges (docs/operations.md).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_util.h"
#include "serving/server_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = segue::fuzz::WriteInputFile("segue.toml", segue::fuzz::AsText(data, size));
  segue::serving::ServerConfig c;
  segue::Status st = segue::serving::LoadServerConfig(path, &c);
  if (!st.ok()) {
    SEGUE_FUZZ_CHECK(st.code() == segue::StatusCode::kInvalidArgument);
    return 0;
  }
  SEGUE_FUZZ_CHECK(c.threads >= 1 && c.threads <= 64);
  SEGUE_FUZZ_CHECK(c.http.body_limit >= 1024 && c.http.body_limit <= (size_t{1} << 30));
  SEGUE_FUZZ_CHECK(c.http.header_limit >= 1024 && c.http.header_limit <= (size_t{1} << 20));
  SEGUE_FUZZ_CHECK(c.log.partitions >= 1 && c.log.partitions <= 4096);
  SEGUE_FUZZ_CHECK(c.sessions.max_plays >= 1 && c.sessions.max_plays <= 4096);
  SEGUE_FUZZ_CHECK(c.events.max_events_per_batch >= 1);
  SEGUE_FUZZ_CHECK(c.scoring.scorer.hysteresis >= 0 && c.scoring.scorer.hysteresis <= 1);
  (void)segue::serving::ValidateServerConfig(c);
  return 0;
}
