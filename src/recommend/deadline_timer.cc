#include "recommend/deadline_timer.h"

namespace segue::recommend {

DeadlineTimer::DeadlineTimer() : thread_([this] { Loop(); }) {}

DeadlineTimer::~DeadlineTimer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void DeadlineTimer::At(Clock::time_point when, std::function<void()> fn) {
  bool earliest;
  {
    std::lock_guard lock(mu_);
    earliest = queue_.empty() || when < queue_.top().when;
    queue_.push(Entry{when, next_order_++, std::move(fn)});
  }
  // Deadlines mostly arrive in order: the timer thread only needs waking for a new earliest one.
  if (earliest) cv_.notify_one();
}

void DeadlineTimer::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    // A copy: while waiting, At() may push and reallocate the queue under the reference.
    if (const Clock::time_point next = queue_.top().when; Clock::now() < next) {
      cv_.wait_until(lock, next);
      continue;
    }
    std::function<void()> fn = queue_.top().fn;  // top() is const: copied, then popped
    queue_.pop();
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace segue::recommend
