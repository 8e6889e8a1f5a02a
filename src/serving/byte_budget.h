// A global budget of bytes (request bodies buffered by the HTTP server), so that many unfinished
// uploads together cannot take the process's memory, however many connections carry them.
//
// Thread-safety: lock-free; any thread may reserve and release.
#pragma once

#include <atomic>
#include <cstddef>

namespace segue::serving {

class ByteBudget {
 public:
  explicit ByteBudget(size_t limit) : limit_(limit) {}

  // Takes n bytes if they fit under the limit; false (and nothing taken) otherwise.
  bool TryReserve(size_t n) {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (n > limit_ || used > limit_ - n) return false;
    } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
    return true;
  }
  // Returns n bytes taken earlier by TryReserve.
  void Release(size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }

  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

}  // namespace segue::serving
