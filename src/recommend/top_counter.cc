#include "recommend/top_counter.h"

#include <algorithm>
#include <cstring>

namespace segue::recommend {

namespace {

// Four 32-bit lanes (a GCC/Clang vector extension): SSE2 on x86-64, NEON on ARM, scalar code elsewhere.
using Lanes = uint32_t __attribute__((vector_size(16)));

}  // namespace

ptrdiff_t TopCounter::Find(uint32_t track) const {
  // Blocks of 16 tracks compared at once; the block that holds the track, if any, is then scanned.
  constexpr size_t kBlock = 4 * (sizeof(Lanes) / sizeof(uint32_t));
  const Lanes key = Lanes{} + track;
  const uint32_t* t = tracks_.data();
  const size_t n = tracks_.size();
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    Lanes v[4];
    std::memcpy(v, t + i, sizeof v);
    const Lanes hit = (v[0] == key) | (v[1] == key) | (v[2] == key) | (v[3] == key);
    uint64_t halves[2];
    std::memcpy(halves, &hit, sizeof halves);
    if ((halves[0] | halves[1]) != 0) break;
  }
  for (; i < n; ++i) {
    if (t[i] == track) return static_cast<ptrdiff_t>(i);
  }
  return -1;
}

uint32_t TopCounter::CountOf(uint32_t track) const {
  const ptrdiff_t i = Find(track);
  return i < 0 ? 0 : entries_[static_cast<size_t>(i)].count;
}

void TopCounter::Promote(size_t i) {
  const TrackCount moved = entries_[i];
  auto smaller = [&](size_t k) { return entries_[k].count < moved.count; };
  // The first position whose count is below the new one; entries before it keep their place. Galloping
  // back from i, then a binary search in the last step: it reads only near the range that moves, where
  // a binary search from the front would also read cold entries it then leaves alone.
  size_t lo = i, step = 1;
  while (lo > 0 && smaller(lo - 1)) {
    const size_t next = lo > step ? lo - step : 0;
    if (!smaller(next)) {
      lo = static_cast<size_t>(std::partition_point(entries_.begin() + static_cast<ptrdiff_t>(next),
                                                    entries_.begin() + static_cast<ptrdiff_t>(lo - 1),
                                                    [&](const TrackCount& e) { return e.count >= moved.count; }) -
                               entries_.begin());
      break;
    }
    lo = next;
    step *= 2;
  }
  if (lo == i) return;
  // Trivially copyable: both shifts are memmoves.
  std::copy_backward(entries_.begin() + static_cast<ptrdiff_t>(lo), entries_.begin() + static_cast<ptrdiff_t>(i),
                     entries_.begin() + static_cast<ptrdiff_t>(i) + 1);
  std::copy_backward(tracks_.begin() + static_cast<ptrdiff_t>(lo), tracks_.begin() + static_cast<ptrdiff_t>(i),
                     tracks_.begin() + static_cast<ptrdiff_t>(i) + 1);
  entries_[lo] = moved;
  tracks_[lo] = moved.track;
}

void TopCounter::Place(size_t i, TrackCount entry) {
  if (i == entries_.size()) {
    entries_.push_back(entry);
    tracks_.push_back(entry.track);
  } else {
    entries_[i] = entry;
    tracks_[i] = entry.track;
  }
  Promote(i);
}

void TopCounter::Offer(uint32_t track, uint32_t count) {
  if (capacity_ == 0) return;
  // Counts only grow: a listed track's old count was at least the last one's, so a count not above the
  // last one of a full list belongs to an unlisted track that does not get in.
  const bool full = entries_.size() >= capacity_;
  if (full && count <= entries_.back().count) return;
  const ptrdiff_t i = Find(track);
  if (i >= 0) {
    entries_[static_cast<size_t>(i)].count = count;
    Promote(static_cast<size_t>(i));
    return;
  }
  Place(full ? entries_.size() - 1 : entries_.size(), {track, count, 0});
}

void TopCounter::Remove(uint32_t track) {
  const ptrdiff_t i = Find(track);
  if (i < 0) return;
  entries_.erase(entries_.begin() + i);
  tracks_.erase(tracks_.begin() + i);
}

void TopCounter::Increment(uint32_t track, uint32_t by) {
  if (capacity_ == 0) return;
  const ptrdiff_t i = Find(track);
  if (i >= 0) {
    entries_[static_cast<size_t>(i)].count += by;
    Promote(static_cast<size_t>(i));
    return;
  }
  if (entries_.size() < capacity_) {
    Place(entries_.size(), {track, by, 0});
  } else {
    const uint32_t inherited = entries_.back().count;
    Place(entries_.size() - 1, {track, inherited + by, inherited});
  }
}

}  // namespace segue::recommend
