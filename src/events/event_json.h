// Event → JSON, the wire form documented in docs/api.md. Used on hot paths (`segue log export`, importers
// writing NDJSON, the replay tool's fixtures), so it appends straight into a string without a DOM.
//
// Output contract (stable: scripts read it):
//  - keys in schema order: event_id, user_id, type, ts, track_id, position_ms, context, query;
//  - `ts` is RFC 3339 UTC with milliseconds ("2024-01-02T03:04:05.678Z");
//  - empty strings, position_ms == -1, an absent shuffle and an empty context are omitted, so the output
//    parses back (event_parser.h) to an equal Event;
//  - LoggedEventToJson puts "seq", "partition" and "ingest_ts" first, then the event's fields;
//  - no trailing newline; strings are escaped per RFC 8259 (UTF-8 passed through).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "events/event.h"

namespace segue {

std::string EventToJson(const Event& event);
std::string LoggedEventToJson(const LoggedEvent& logged);

// Appending forms, to build NDJSON without a temporary per event.
void AppendEventJson(const Event& event, std::string* out);
void AppendLoggedEventJson(const LoggedEvent& logged, std::string* out);

// Building blocks shared with the other hand-written JSON writers (tracks, batch answers).
// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string_view s, std::string* out);
// Appends `,"key":` (writers put a comma before every field but the first).
void AppendJsonKey(std::string_view key, std::string* out);
// Appends `,"key":"value"`, or nothing when `value` is empty.
void AppendJsonStringField(std::string_view key, std::string_view value, std::string* out);

}  // namespace segue
