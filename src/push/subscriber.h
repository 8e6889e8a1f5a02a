// One subscriber's bounded buffer of pushed messages, between the publishing thread (the pipeline's, via
// PushHub) and the subscriber's transport (one SSE or WebSocket connection).
//
// Contract:
//  - Offer never blocks on the consumer: when the buffer is full, the oldest buffered message is dropped to
//    make room (a newer recommendation supersedes an older one) and Offer says so, for the hub's metric.
//  - The wake function is called whenever the buffer goes from empty to non-empty, and on Close, so the
//    transport drains only when there is something to do. It runs on the offering thread, outside the
//    lock, and must not block nor call back into this object synchronously (post to an executor).
//  - consecutive_drops() counts drops since the last Drain: how long the consumer has not kept up.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "push/push_message.h"

namespace segue::push {

class Subscriber {
 public:
  Subscriber(std::string user_id, size_t capacity);
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  const std::string& user_id() const { return user_id_; }

  // Installs the wake function; calls it at once when messages are already waiting or the subscriber is
  // already closed.
  void SetWake(std::function<void()> wake);

  enum class Offered { kQueued, kDroppedOldest };
  Offered Offer(PushMessagePtr message);

  // Every buffered message, oldest first; resets consecutive_drops().
  std::vector<PushMessagePtr> Drain();

  // Called by the hub when it lets go of this subscriber (overflow, shutdown): the transport delivers what
  // is buffered and then ends the connection. Later Offers are ignored.
  void Close();
  bool closed() const;

  size_t consecutive_drops() const;

 private:
  const std::string user_id_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<PushMessagePtr> buffer_;
  std::function<void()> wake_;
  size_t consecutive_drops_ = 0;
  bool closed_ = false;
};

}  // namespace segue::push
