#include "push/subscriber.h"

#include <utility>

namespace segue::push {

Subscriber::Subscriber(std::string user_id, size_t capacity)
    : user_id_(std::move(user_id)), capacity_(capacity == 0 ? 1 : capacity) {}

void Subscriber::SetWake(std::function<void()> wake) {
  bool pending = false;
  {
    std::lock_guard lock(mu_);
    wake_ = wake;
    pending = closed_ || !buffer_.empty();
  }
  if (pending && wake) wake();
}

Subscriber::Offered Subscriber::Offer(PushMessagePtr message) {
  std::function<void()> wake;
  Offered offered = Offered::kQueued;
  {
    std::lock_guard lock(mu_);
    if (closed_) return Offered::kQueued;
    if (buffer_.size() >= capacity_) {
      buffer_.pop_front();
      ++consecutive_drops_;
      offered = Offered::kDroppedOldest;
    }
    if (buffer_.empty()) wake = wake_;  // only the empty → non-empty transition needs a wake
    buffer_.push_back(std::move(message));
  }
  if (wake) wake();
  return offered;
}

std::vector<PushMessagePtr> Subscriber::Drain() {
  std::lock_guard lock(mu_);
  std::vector<PushMessagePtr> out(std::make_move_iterator(buffer_.begin()), std::make_move_iterator(buffer_.end()));
  buffer_.clear();
  consecutive_drops_ = 0;
  return out;
}

void Subscriber::Close() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    wake = wake_;
  }
  if (wake) wake();
}

bool Subscriber::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

size_t Subscriber::consecutive_drops() const {
  std::lock_guard lock(mu_);
  return consecutive_drops_;
}

}  // namespace segue::push
