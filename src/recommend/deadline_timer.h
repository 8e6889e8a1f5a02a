// DeadlineTimer: runs callbacks at given steady-clock times on one thread of its own. The recommender
// uses it to answer a request with a fallback when its model stage has not finished by the deadline,
// without any thread waiting for that stage.
//
// Callbacks run one at a time in deadline order, on the timer's thread, and must be short. Callbacks
// still pending when the timer is destroyed are dropped unrun.
// Thread-safety: At is safe concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace segue::recommend {

class DeadlineTimer {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineTimer();
  ~DeadlineTimer();
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  void At(Clock::time_point when, std::function<void()> fn);

 private:
  struct Entry {
    Clock::time_point when;
    uint64_t order;  // FIFO among equal deadlines
    std::function<void()> fn;
    bool operator>(const Entry& o) const { return when != o.when ? when > o.when : order > o.order; }
  };
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  uint64_t next_order_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace segue::recommend
