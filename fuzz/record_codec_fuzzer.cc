// Feeds the bytes, as one stored log record, to DecodeLoggedEvent (log/record_codec.h): what a corrupted
// or truncated `events` column family value gives back to Scan and to the dedup-window rebuild on Open.
// Checks besides crashes, sanitizer reports and leaks: a record that decodes re-encodes to bytes that
// decode to an equal LoggedEvent and re-encode to themselves. (Not encode(decode(x)) == x: the decoder
// accepts non-minimal varints, e.g. 0x80 0x00 for 0, which the encoder never writes; reading them is
// harmless, so that is not a finding.)
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "log/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  segue::LoggedEvent record;
  if (!segue::DecodeLoggedEvent(segue::fuzz::AsText(data, size), &record).ok()) return 0;
  std::string encoded;
  segue::EncodeLoggedEvent(record, &encoded);
  SEGUE_FUZZ_CHECK(encoded.size() <= size);
  segue::LoggedEvent again;
  SEGUE_FUZZ_CHECK(segue::DecodeLoggedEvent(encoded, &again).ok());
  SEGUE_FUZZ_CHECK(again == record);
  std::string reencoded;
  segue::EncodeLoggedEvent(again, &reencoded);
  SEGUE_FUZZ_CHECK(reencoded == encoded);
  return 0;
}
