// TopCounter: the `capacity` tracks with the highest counts, kept sorted (count descending; among
// equal counts the one that reached it first stays ahead). The baselines' one bounded-memory ranking:
// popularity lists, each artist's tracks, each track's co-occurring neighbours.
//
// Two ways to feed it:
//  - Offer(track, count) when the caller keeps the exact count (it never decreases between Offers of the
//    same track): the list is then the exact top `capacity`.
//  - Increment(track) when it does not: space-saving (Metwally et al., 2005): a new track arriving at
//    a full list replaces the last one and inherits its count + 1, so counts are upper bounds, every
//    track counted more than total/capacity times is in the list, and count − error is a lower bound
//    (what scores should use: the inherited part is noise).
// Costs: O(capacity) per update, but cheap: the find scans a flat array of the tracks alone (4 B each,
// 16 per vector compare), the re-sort shifts only the entries it passes, and Offer of a count that
// cannot enter a full list returns before any scan. 16 B per entry (the entry + the track again);
// meant for capacities up to a few thousand. Plain data: not thread-safe, the owner locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace segue::recommend {

struct TrackCount {
  uint32_t track = 0;
  uint32_t count = 0;
  uint32_t error = 0;  // Increment only: the count inherited on entry; count − error is a lower bound

  uint32_t guaranteed() const { return count - error; }

  bool operator==(const TrackCount&) const = default;
};

class TopCounter {
 public:
  explicit TopCounter(size_t capacity = 0) : capacity_(capacity) {}

  void Offer(uint32_t track, uint32_t count);
  void Increment(uint32_t track, uint32_t by = 1);
  // Drops `track` if present (its category changed: it now counts in another list).
  void Remove(uint32_t track);

  // A hint that the list is about to be updated: starts loading its ends into the cache (where Find
  // starts and where new and promoted entries land), so callers touching many cold lists overlap the misses.
  void Prefetch() const {
    __builtin_prefetch(tracks_.data());
    if (!entries_.empty()) __builtin_prefetch(&entries_.back());
  }

  // Best first.
  std::span<const TrackCount> top() const { return entries_; }
  // Count of `track` in the list, 0 when absent.
  uint32_t CountOf(uint32_t track) const;
  size_t capacity() const { return capacity_; }

 private:
  // Moves entries_[i], whose count just grew, ahead of every entry with a smaller count.
  void Promote(size_t i);
  // Writes `entry` at i (appending when i is the size) and promotes it.
  void Place(size_t i, TrackCount entry);
  ptrdiff_t Find(uint32_t track) const;

  size_t capacity_;
  std::vector<TrackCount> entries_;
  std::vector<uint32_t> tracks_;  // entries_[i].track at i: what Find scans, 3× denser than entries_
};

}  // namespace segue::recommend
