// Parsing and validation of listener events from their JSON wire form (schema: docs/api.md). This is the
// ingest hot path: simdjson DOM, no intermediate tree copies, one rejection per bad event.
//
// Contract:
//  - ParseEventBatch: whole-body problems return a Status: kInvalidArgument when the body is empty, not
//    valid JSON or (kJsonArray) not an array; kResourceExhausted when it holds more than
//    `max_events_per_batch` events. Everything else is per event: valid events land in `events` (with the
//    position of each in the body in `source_index`), invalid ones in `rejected` with the exact field and
//    the reason. In NDJSON a malformed line rejects only that event.
//  - Strict on types (a number where a string is expected is a rejection), lenient on unknown extra
//    fields (ignored, so clients can send more than we use). `null` counts as absent. A key given twice
//    is a rejection. Strings are limited in bytes (UTF-8 is validated by simdjson).
//  - `ts` is an RFC 3339 string or an integer of epoch milliseconds; it must not be before
//    `min_ts_ms` nor more than `max_future_skew_ms` after `now_ms`.
// Thread-safety: reentrant (a per-thread simdjson parser is reused).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "events/batch_format.h"
#include "events/event.h"

namespace segue {

struct ParseLimits {
  size_t max_events_per_batch = 10000;
  size_t max_id_bytes = 128;       // event_id, user_id, track_id
  size_t max_query_bytes = 512;    // query
  size_t max_label_bytes = 64;     // context.device, context.source
  size_t max_rec_id_bytes = 128;   // context.rec_id
  int64_t max_position_ms = 24LL * 3600 * 1000;
  int64_t max_future_skew_ms = 5LL * 60 * 1000;
  int64_t min_ts_ms = 946684800000LL;  // 2000-01-01T00:00:00Z
};

struct ParsedBatch {
  std::vector<Event> events;
  std::vector<size_t> source_index;  // source_index[i] = position in the body of events[i]
  std::vector<Rejection> rejected;   // in body order
};

Result<ParsedBatch> ParseEventBatch(std::string_view body, BodyFormat format, const ParseLimits& limits,
                                    int64_t now_ms);

// One standalone JSON object. Errors are kInvalidArgument "FIELD: REASON" (or just REASON for the object).
Result<Event> ParseEvent(std::string_view json, const ParseLimits& limits, int64_t now_ms);

}  // namespace segue
