#include "log/dedup_window.h"

#include <algorithm>
#include <cassert>

#include "common/hash.h"

namespace segue {
namespace {

constexpr size_t kInitialSlots = 1024;

// Spreads the FNV bits over the table index (FNV-1a's low bits are weak for similar short strings).
uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

DedupWindow::DedupWindow(size_t capacity, int64_t window_ms)
    : capacity_(std::max<size_t>(capacity, 1)), window_ms_(window_ms), table_(kInitialSlots, 0) {}

uint64_t DedupWindow::HashOf(std::string_view event_id) {
  const uint64_t h = Fnv1a64(event_id);
  return h == 0 ? 1 : h;
}

size_t DedupWindow::FindSlot(uint64_t hash) const {
  const size_t mask = table_.size() - 1;
  size_t i = Mix(hash) & mask;
  while (table_[i] != 0 && table_[i] != hash) i = (i + 1) & mask;
  return i;
}

void DedupWindow::TableInsert(uint64_t hash) {
  if ((count_ + staged_.size() + 1) * 2 > table_.size()) GrowTable();
  table_[FindSlot(hash)] = hash;
}

// Backward-shift deletion keeps linear probing correct without tombstones.
void DedupWindow::TableErase(uint64_t hash) {
  const size_t mask = table_.size() - 1;
  size_t hole = FindSlot(hash);
  if (table_[hole] == 0) return;
  size_t i = hole;
  for (;;) {
    i = (i + 1) & mask;
    if (table_[i] == 0) break;
    const size_t home = Mix(table_[i]) & mask;
    // Move table_[i] into the hole unless its home lies cyclically in (hole, i].
    const bool home_after_hole = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
    if (!home_after_hole) {
      table_[hole] = table_[i];
      hole = i;
    }
  }
  table_[hole] = 0;
}

void DedupWindow::GrowTable() {
  std::vector<uint64_t> old = std::move(table_);
  table_.assign(old.size() * 2, 0);
  for (uint64_t h : old) {
    if (h != 0) table_[FindSlot(h)] = h;
  }
}

void DedupWindow::GrowRing() {
  const size_t new_size = std::min(capacity_, std::max<size_t>(ring_.size() * 2, 1024));
  std::vector<Entry> grown;
  grown.reserve(new_size);
  for (size_t k = 0; k < count_; ++k) grown.push_back(ring_[(head_ + k) % ring_.size()]);
  grown.resize(new_size);
  ring_ = std::move(grown);
  head_ = 0;
}

void DedupWindow::EvictOldest() {
  TableErase(ring_[head_].hash);
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

bool DedupWindow::Stage(std::string_view event_id, int64_t now_ms) {
  while (count_ > 0 && Expired(ring_[head_], now_ms)) EvictOldest();
  const uint64_t hash = HashOf(event_id);
  if (table_[FindSlot(hash)] == hash) return true;
  TableInsert(hash);
  staged_.push_back({hash, now_ms});
  return false;
}

void DedupWindow::Commit() {
  // A staged hash is never in the ring (Stage found it absent), so evicting cannot erase a staged one.
  for (const Entry& e : staged_) {
    if (count_ == capacity_) EvictOldest();
    if (count_ == ring_.size()) GrowRing();
    ring_[(head_ + count_) % ring_.size()] = e;
    ++count_;
  }
  staged_.clear();
}

void DedupWindow::Abort() {
  for (const Entry& e : staged_) TableErase(e.hash);
  staged_.clear();
}

bool DedupWindow::CheckAndInsert(std::string_view event_id, int64_t now_ms) {
  assert(staged_.empty());
  const bool duplicate = Stage(event_id, now_ms);
  Commit();
  return duplicate;
}

size_t DedupWindow::MemoryBytes() const {
  return (ring_.capacity() + staged_.capacity()) * sizeof(Entry) + table_.capacity() * sizeof(uint64_t);
}

}  // namespace segue
