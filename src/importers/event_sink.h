// What importers hand their events and tracks to, and the deterministic event ids that make re-imports idempotent:
// the same source record always yields the same event_id, so posting an import twice is de-duplicated by
// the server (docs/data.md lists the key of each format). Pure functions; thread-safe.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "catalog/track.h"
#include "common/status.h"
#include "events/event.h"
#include "importers/import_summary.h"

namespace segue {

// Receives events in output order; an error stops the import.
using EventSink = std::function<Status(const Event&)>;
// Receives catalog tracks (each id once); an error stops the import.
using TrackSink = std::function<Status(const Track&)>;

// "<prefix>-<16 hex digits>": FNV-1a 64 of the parts joined with U+001F (which cannot occur in the
// source fields), then the event type name.
std::string DeterministicEventId(std::string_view prefix, std::initializer_list<std::string_view> parts,
                                 EventType type);

// The longest prefix of `s` that fits in `max_bytes` without splitting a UTF-8 sequence (the server
// limits label and text lengths; see events/event_parser.h and catalog/track_json.h).
std::string_view TruncateUtf8(std::string_view s, size_t max_bytes);

// Counts the event in `summary` and passes it on.
Status EmitEvent(const Event& event, const EventSink& sink, ImportSummary* summary);

}  // namespace segue
