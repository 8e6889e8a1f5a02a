// RedisPushRelay: trigger pushes across bus nodes, so a push subscriber may connect to any node.
//
// The node that owns a listener's partition makes their trigger pushes (TriggerPush → PushService): it
// delivers each to its own subscribers and webhook, and Relay()s it here, which PUBLISHes it on the one
// channel segue:push (node_keys.h). Every node SUBSCRIBEs to that channel on a dedicated connection and
// thread and hands each message from another node to `deliver` (its local hub: subscribers only, the
// webhook was the owner's); messages it published itself are skipped, so a subscriber connected to the
// owner gets each push once.
//
// One global channel, not one per partition: every node has to receive every push anyway (it cannot know
// which listeners have subscribers elsewhere), and a classic PUBLISH in a Redis Cluster is broadcast to
// every node over the cluster bus, so a subscriber on any one node hears all of them; per-partition
// channels would only multiply subscriptions. The cost is one copy per node per push (pushes are a small
// fraction of events: triggers).
//
// Delivery is at most once and best effort, like pub/sub: a push published while a node is reconnecting
// its subscription is not seen there (its subscribers' clients see a gap, as after their own reconnect;
// the webhook is the reliable channel). The publisher never blocks a caller: Relay queues (at most
// kMaxQueued, the oldest dropped beyond) for a publishing thread with its own connection. The subscriber
// reconnects (every 250 ms, rotating over the url's endpoints) after its connection drops; TCP keepalive
// detects a peer that vanished.
//
// Metrics: segue_push_relay_published_total, segue_push_relay_received_total (from other nodes),
// segue_push_relay_dropped_total (queue full or PUBLISH failed), segue_push_relay_subscribed (gauge 0/1),
// segue_push_relay_reconnects_total.
// Thread-safety: Relay from any thread; Start/Stop from one thread. `deliver` runs on the subscriber thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "bus/redis_client.h"
#include "common/metrics.h"
#include "push/push_relay.h"

namespace segue::nodes {

class RedisPushRelay final : public push::PushRelay {
 public:
  using Deliver = std::function<void(push::PushMessagePtr)>;
  static constexpr size_t kMaxQueued = 4096;

  RedisPushRelay(bus::RedisClientOptions redis, std::string node_id, Deliver deliver, metrics::Registry& registry);
  ~RedisPushRelay() override;  // Stop()

  void Start();
  void Stop();
  void Relay(push::PushMessagePtr message) override;

 private:
  void PublishLoop();
  void SubscribeLoop();
  // One subscription on `endpoint` until it drops or Stop.
  void Subscribe(const bus::RedisEndpoint& endpoint);
  void OnMessage(const std::string& payload);
  // Waits up to `d` unless stopped; false once stopped.
  bool Pause(std::chrono::milliseconds d);

  const bus::RedisClientOptions redis_;
  const std::string node_id_;
  const Deliver deliver_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<push::PushMessagePtr> queue_;
  int subscriber_fd_ = -1;  // the subscription's socket, shut down by Stop to end a blocking read
  std::thread publisher_;
  std::thread subscriber_;

  metrics::Counter& published_;
  metrics::Counter& received_;
  metrics::Counter& dropped_;
  metrics::Gauge& subscribed_;
  metrics::Counter& reconnects_;
};

}  // namespace segue::nodes
