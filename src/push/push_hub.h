// PushHub: the listeners' live subscribers (SSE and WebSocket connections) and the fan-out of a pushed
// message to them.
//
// Contract:
//  - Publish never blocks on a subscriber: each has a bounded buffer (Subscriber); when it is full the
//    oldest message is dropped for that subscriber alone and counted. A subscriber that has dropped
//    `disconnect_after_drops` messages in a row without draining any is let go (removed and closed, its
//    transport ends the connection; the client may reconnect), so a stuck consumer does not cost a drop
//    on every later push. The transports' write timeouts close dead clients independently.
//  - Subscribe is refused with kResourceExhausted beyond `max_subscribers_per_listener` for one listener
//    or `max_subscribers` in all (each subscriber holds a connection and a buffer).
//  - A Subscription unsubscribes when destroyed (client disconnect, write timeout, server stop). It shares
//    the hub's state, so it may outlive the PushHub; the hub closes every subscriber when destroyed.
//
// Metrics: segue_push_published_total, segue_push_published_unheard_total (no subscriber),
// segue_push_deliveries_total (messages queued for a subscriber), segue_push_dropped_total{reason}
// (buffer_full), segue_push_subscribers (gauge), segue_push_subscribe_refused_total{reason}
// (per_listener, total), segue_push_subscribers_disconnected_total (let go for overflow). The registry
// must not be rendered after the hub is destroyed.
//
// Thread-safety: every method may be called from any thread. Publish takes a shared lock (publishers do
// not exclude each other), Subscribe and unsubscribe an exclusive one, briefly.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/status.h"
#include "push/push_message.h"
#include "push/subscriber.h"

namespace segue::push {

struct PushHubOptions {
  size_t buffer_messages = 16;                // per subscriber
  size_t max_subscribers_per_listener = 8;    // e.g. a few devices and tabs
  size_t max_subscribers = 10'000;            // all listeners together
  size_t disconnect_after_drops = 64;         // consecutive drops before a subscriber is let go; 0 = never
};

class Subscription {
 public:
  struct HubState;
  Subscription(std::shared_ptr<HubState> hub, std::shared_ptr<Subscriber> subscriber);
  ~Subscription();
  Subscription(Subscription&&) noexcept;
  Subscription& operator=(Subscription&&) = delete;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  Subscriber& subscriber() const { return *subscriber_; }

 private:
  std::shared_ptr<HubState> hub_;
  std::shared_ptr<Subscriber> subscriber_;
};

struct PublishResult {
  size_t subscribers = 0;  // the listener's subscribers the message was offered to
  size_t dropped = 0;      // of them, those that had to drop a message
};

class PushHub {
 public:
  PushHub(PushHubOptions options, metrics::Registry& registry);
  ~PushHub();
  PushHub(const PushHub&) = delete;
  PushHub& operator=(const PushHub&) = delete;

  Result<Subscription> Subscribe(const std::string& user_id);
  PublishResult Publish(PushMessagePtr message);  // to message->user_id's subscribers
  size_t subscriber_count() const;

 private:
  std::shared_ptr<Subscription::HubState> state_;
};

}  // namespace segue::push
