// Feeds the bytes, unchanged, to every entry point of the event parser (events/event_parser.h): as one
// standalone event (ParseEvent), as a JSON-array batch and as an NDJSON batch (ParseEventBatch, which
// also exercises the shared framing in events/json_batch.cc). No format byte is taken from the input, so
// the seeds are plain JSON and every input reaches all three.
// Checks besides crashes, sanitizer reports and leaks:
//  - every accepted event writes back (events/event_json.h) to JSON that parses to an equal Event (the
//    round trip event_json.h promises and `segue log export` | re-ingest relies on);
//  - a batch's accepted and rejected positions are each strictly increasing and never the same element.
#include <cstddef>
#include <cstdint>

#include "events/event_json.h"
#include "events/event_parser.h"
#include "fuzz/fuzz_util.h"

namespace {

using segue::Event;
using segue::ParseLimits;

// A fixed clock: the same input always takes the same path (the `ts` window depends on "now").
constexpr int64_t kNowMs = 1'700'000'000'000;

void CheckRoundTrip(const Event& event, const ParseLimits& limits) {
  segue::Result<Event> again = segue::ParseEvent(segue::EventToJson(event), limits, kNowMs);
  SEGUE_FUZZ_CHECK(again.ok());
  SEGUE_FUZZ_CHECK(*again == event);
}

void CheckBatch(std::string_view body, segue::BodyFormat format, const ParseLimits& limits) {
  segue::Result<segue::ParsedBatch> batch = segue::ParseEventBatch(body, format, limits, kNowMs);
  if (!batch.ok()) return;
  SEGUE_FUZZ_CHECK(batch->events.size() == batch->source_index.size());
  for (size_t i = 1; i < batch->source_index.size(); ++i) {
    SEGUE_FUZZ_CHECK(batch->source_index[i - 1] < batch->source_index[i]);
  }
  for (size_t i = 1; i < batch->rejected.size(); ++i) {
    SEGUE_FUZZ_CHECK(batch->rejected[i - 1].index < batch->rejected[i].index);
  }
  size_t a = 0;
  for (const segue::Rejection& r : batch->rejected) {
    while (a < batch->source_index.size() && batch->source_index[a] < r.index) ++a;
    SEGUE_FUZZ_CHECK(a == batch->source_index.size() || batch->source_index[a] != r.index);
  }
  for (const Event& e : batch->events) CheckRoundTrip(e, limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = segue::fuzz::AsText(data, size);
  const ParseLimits limits;  // the server's defaults
  if (segue::Result<Event> event = segue::ParseEvent(body, limits, kNowMs); event.ok()) {
    CheckRoundTrip(*event, limits);
  }
  CheckBatch(body, segue::BodyFormat::kJsonArray, limits);
  CheckBatch(body, segue::BodyFormat::kNdjson, limits);
  return 0;
}
