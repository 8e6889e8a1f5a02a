// The binary form of session state in snapshots: one self-contained chunk per tracker shard holding the
// shard's sessions and parked profiles (or, for the online store, one listener's).
//
// Track ids are stored as strings (a per-chunk table, plays refer to it by index), never as interned
// ids, which are process-local; a profile's top artists are stored as one track by each artist and are
// re-derived from the catalog on decode (an artist whose track the catalog no longer knows is dropped).
// Layout, format version 1 (fixed-width little-endian integers, f32 floats, strings as u16 length +
// bytes):
//   "SGSC" | u32 version | u64 track table offset | u32 session count | sessions... |
//   u32 profile count | (user string, profile)... | track table: u32 count | strings...
// (The table goes last so a shard is encoded in one pass into one buffer; entry 0 is "unknown".)
// Decoders must accept every older version; a new version is added, never an old one changed.
// Pure functions of their arguments; thread-safety is that of the tracker and catalog they use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace segue {

class SessionTracker;

inline constexpr uint32_t kSessionCodecVersion = 1;

// Encodes shard `shard` of `tracker` (sessions and parked profiles) into `*out` (replacing it; reuse
// the string across shards to keep its capacity). Holds that shard's lock while encoding. Returns the number of sessions + profiles encoded.
size_t EncodeSessionShard(const SessionTracker& tracker, uint32_t shard, std::string* out);

// Encodes one listener's state as a chunk of the same format holding its in-memory session, or else its
// parked profile, or nothing: the online store (src/nodes/) keeps state per listener and restores it with
// DecodeSessionChunk. Holds the listener's shard lock while encoding. False when the tracker knows
// nothing of the listener (`*out` is then a valid empty chunk).
bool EncodeListener(const SessionTracker& tracker, std::string_view user_id, std::string* out);

// Decodes a chunk and restores its sessions and profiles into `tracker` (any shard count). Truncation,
// trailing bytes, a bad magic/version or an out-of-range field give Status::Corruption naming what was
// wrong; nothing of a corrupt chunk is restored.
Status DecodeSessionChunk(std::string_view chunk, SessionTracker* tracker);

}  // namespace segue
