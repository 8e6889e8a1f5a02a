// DedupWindow: the bounded memory of recently accepted event_ids that the event log uses to drop
// client retries.
//
// An id is remembered for at most `window_ms` (measured on the log's ingest clock, which never goes
// backwards) and only among the most recent `capacity` ids; whichever bound is hit first evicts the oldest
// id. Ids are stored as 64-bit hashes (FNV-1a 64 of the event_id), not as strings, so memory is bounded by
// the capacity: a 16-byte FIFO ring entry per id plus an open-addressing table of 8-byte slots whose size
// is a power of two kept at most half full (16 to 32 bytes per id), i.e. 32 to 48 bytes per id; the
// default capacity of 2^20 ids costs 32 MiB when full (plus 16 bytes per id of the largest group staged at
// once, see below). Consequence of hashing: two different event_ids
// with the same 64-bit hash are treated as one, so the second is reported as a duplicate and not stored.
// With a full window of 1,000,000 ids the chance that a given new id collides is about 1e6 / 2^64 ≈ 5e-14.
//
// Two-phase use, so that a failed write leaves no trace: the log Stage()s the ids of a group before its
// write, then Commit()s them once the write succeeded or Abort()s them if it failed. A staged id already
// counts as a duplicate for later Stage() calls (duplicates inside one group), but an aborted id is
// forgotten, so the client's retry of a refused batch is accepted instead of being reported as a duplicate
// (and lost). Capacity evictions happen only at Commit, so an aborted group does not push older ids out.
//
// Callers must pass non-decreasing `now_ms` values. Not thread-safe: the log's committer thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace segue {

class DedupWindow {
 public:
  // capacity >= 1; window_ms <= 0 means "no time bound" (capacity only).
  DedupWindow(size_t capacity, int64_t window_ms);

  // True if `event_id` is inside the window or staged (a duplicate). Otherwise stages it at `now_ms` and
  // returns false. Evicts expired ids first (they are expired whatever the write's outcome).
  bool Stage(std::string_view event_id, int64_t now_ms);
  // Makes every staged id part of the window, evicting the oldest ids beyond the capacity.
  void Commit();
  // Forgets every staged id.
  void Abort();
  // Stage() then Commit(), for a single id; nothing may be staged when it is called.
  bool CheckAndInsert(std::string_view event_id, int64_t now_ms);

  size_t size() const { return count_; }  // committed ids
  size_t capacity() const { return capacity_; }
  int64_t window_ms() const { return window_ms_; }
  // Bytes held by the ring and the table (what the window costs in memory right now).
  size_t MemoryBytes() const;

 private:
  struct Entry {
    uint64_t hash;
    int64_t ms;
  };

  static uint64_t HashOf(std::string_view event_id);
  bool Expired(const Entry& e, int64_t now_ms) const { return window_ms_ > 0 && e.ms < now_ms - window_ms_; }
  void EvictOldest();
  size_t FindSlot(uint64_t hash) const;  // slot holding `hash`, or the empty slot where it would go
  void TableInsert(uint64_t hash);
  void TableErase(uint64_t hash);
  void GrowRing();
  void GrowTable();

  size_t capacity_;
  int64_t window_ms_;
  // FIFO of remembered ids, oldest at head_. Grows by doubling up to capacity_, then wraps.
  std::vector<Entry> ring_;
  size_t head_ = 0;
  size_t count_ = 0;
  // Linear-probing set of the hashes of committed and staged ids; 0 marks an empty slot (a real hash of 0
  // is stored as 1). Size is a power of two and kept at most half full, so probes stay short.
  std::vector<uint64_t> table_;
  std::vector<Entry> staged_;  // in the table, not yet in the ring
};

}  // namespace segue
