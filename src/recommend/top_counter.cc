#include "recommend/top_counter.h"

#include <algorithm>

namespace segue::recommend {

ptrdiff_t TopCounter::Find(uint32_t track) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].track == track) return static_cast<ptrdiff_t>(i);
  }
  return -1;
}

uint32_t TopCounter::CountOf(uint32_t track) const {
  const ptrdiff_t i = Find(track);
  return i < 0 ? 0 : entries_[static_cast<size_t>(i)].count;
}

void TopCounter::Promote(size_t i) {
  const uint32_t count = entries_[i].count;
  // First position whose count is below the new one; entries before it keep their place.
  auto first = std::upper_bound(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(i), count,
                                [](uint32_t c, const TrackCount& e) { return c > e.count; });
  std::rotate(first, entries_.begin() + static_cast<ptrdiff_t>(i), entries_.begin() + static_cast<ptrdiff_t>(i) + 1);
}

void TopCounter::Offer(uint32_t track, uint32_t count) {
  if (capacity_ == 0) return;
  const ptrdiff_t i = Find(track);
  if (i >= 0) {
    entries_[static_cast<size_t>(i)].count = count;
    Promote(static_cast<size_t>(i));
    return;
  }
  if (entries_.size() < capacity_) {
    entries_.push_back({track, count, 0});
  } else if (count > entries_.back().count) {
    entries_.back() = {track, count, 0};
  } else {
    return;
  }
  Promote(entries_.size() - 1);
}

void TopCounter::Remove(uint32_t track) {
  const ptrdiff_t i = Find(track);
  if (i >= 0) entries_.erase(entries_.begin() + i);
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
    entries_.push_back({track, by, 0});
  } else {
    const uint32_t inherited = entries_.back().count;
    entries_.back() = {track, inherited + by, inherited};
  }
  Promote(entries_.size() - 1);
}

}  // namespace segue::recommend
