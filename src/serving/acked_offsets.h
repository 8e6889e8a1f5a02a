// AckedOffsets: per partition, the highest offset this server acknowledged to a client (POST /v1/events
// notes each accepted event's offset once its batch is durable). Read-your-writes: a request about a
// listener (GET .../session) waits until the listener's partition applied at least that offset, so it
// sees every event acknowledged before it arrived, and does not wait for the other partitions.
// Thread-safety: every method is safe to call from any thread (lock-free).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace segue::serving {

class AckedOffsets {
 public:
  explicit AckedOffsets(uint32_t partitions)
      : partitions_(partitions), offsets_(std::make_unique<std::atomic<uint64_t>[]>(partitions)) {}

  uint32_t partitions() const { return partitions_; }

  void Note(uint32_t partition, uint64_t offset) {
    std::atomic<uint64_t>& slot = offsets_[partition];
    uint64_t seen = slot.load(std::memory_order_relaxed);
    while (offset > seen && !slot.compare_exchange_weak(seen, offset)) {
    }
  }

  uint64_t Get(uint32_t partition) const { return offsets_[partition].load(); }

 private:
  const uint32_t partitions_;
  std::unique_ptr<std::atomic<uint64_t>[]> offsets_;
};

}  // namespace segue::serving
