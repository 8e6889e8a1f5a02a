// The binary form of a LoggedEvent as stored in the log's `events` column family (and, later, as the
// payload of a Redis Streams entry). Self-contained: partition and seq are repeated inside the record so a
// record can be interpreted without its key.
//
// Layout, format version 1 (varint = LEB128 unsigned; zz = zigzag-encoded signed varint):
//   u8 version (=1) | varint partition | varint seq | zz ingest_ms | zz (ingest_ms - ts_ms) | u8 type |
//   zz position_ms | u8 shuffle (0 absent, 1 false, 2 true) |
//   7 × (varint length + bytes): event_id, user_id, track_id, device, source, rec_id, query
// ts_ms is stored relative to ingest_ms because the two are usually close (a few bytes instead of six).
// Decoders must accept every older version; a new version is added, never an old one changed.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "events/event.h"

namespace segue {

inline constexpr uint8_t kRecordFormatVersion = 1;

// Appends the encoding of `record` to `*out`.
void EncodeLoggedEvent(const LoggedEvent& record, std::string* out);

// Decodes one record that must span all of `data`. Truncation, trailing bytes, an unknown version or an
// out-of-range field give Status::Corruption naming what was wrong.
Status DecodeLoggedEvent(std::string_view data, LoggedEvent* out);

}  // namespace segue
