// What the importer harnesses check about every event an importer emits, besides crashes: the fields
// the server requires of any event (events/event_parser.h) are there, so an import never writes NDJSON
// that `POST /v1/events` must reject for a missing id or track.
#pragma once

#include "events/event.h"
#include "fuzz/fuzz_util.h"

namespace segue::fuzz {

inline void CheckImportedEvent(const Event& e) {
  SEGUE_FUZZ_CHECK(!e.event_id.empty());
  SEGUE_FUZZ_CHECK(!e.user_id.empty());
  SEGUE_FUZZ_CHECK(!EventTypeNeedsTrack(e.type) || !e.track_id.empty());
}

}  // namespace segue::fuzz
