// Impressions across bus nodes: a recommendation is attributed by the feedback collector of the node that
// applies the listener's events, the owner of their partition. ImpressionRelay is the recommender's
// ImpressionSink on a bus node: an impression of a listener whose partition this node owns goes to the
// local sink (impression store and feedback collector) at once; any other is appended to the partition's
// stream segue:{p}:impressions (node_keys.h; XADD MAXLEN ~ max_len, field "i" = ImpressionToJson, the one
// impressions codec) by a background thread with its own connection. The owner's partition reader drains
// that stream (DrainImpressions) into its local sink before applying each batch of events, and its fenced
// commit trims what it drained (online_store.h), so a listener's play that follows a recommendation served
// elsewhere meets the impression on the owner. On a takeover the new owner drains what is left (from the
// start of the stream: whatever the last commit did not trim).
//
// Ordering: the impression is appended within milliseconds of the response, before the listener can react
// to it; the listener's next events land on the same slot later, and the reader drains after reading them,
// so it sees the impression first. Best effort like the local stores: Record never blocks (a queue of
// kMaxQueued; beyond it, or after Stop, a new impression is dropped), an XADD that fails is dropped and
// counted, and MAXLEN ~ bounds a partition whose owner is away (the oldest go first).
// Metrics: segue_impressions_relayed_total, segue_impressions_relay_dropped_total.
// Thread-safety: Record from any thread; SetLocal before Start; Start/Stop from one thread.
// DrainImpressions: on the caller's thread and client.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "bus/redis_client.h"
#include "common/metrics.h"
#include "common/status.h"
#include "impressions/impression_sink.h"

namespace segue::nodes {

class ImpressionRelay final : public impressions::ImpressionSink {
 public:
  using Owns = std::function<bool(std::string_view user)>;
  static constexpr size_t kMaxQueued = 8192;
  static constexpr size_t kMaxBatch = 256;  // XADDs per pipelined round trip

  ImpressionRelay(bus::RedisClientOptions redis, uint32_t partitions, uint64_t max_len, Owns owns,
                  metrics::Registry& registry);
  ~ImpressionRelay() override;  // Stop()

  // Where impressions of owned partitions go (and what DrainImpressions feeds); null drops them.
  void SetLocal(impressions::ImpressionSink* local) { local_ = local; }
  void Start();
  // Appends what is queued (best effort), then stops the thread. Idempotent.
  void Stop();

  void Record(impressions::Impression impression) override;

 private:
  void AppendLoop();
  void Append(std::unique_ptr<bus::RedisClient>& client, const std::deque<impressions::Impression>& batch);

  const bus::RedisClientOptions redis_;
  const uint32_t partitions_;
  const std::string max_len_;
  const Owns owns_;
  impressions::ImpressionSink* local_ = nullptr;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<impressions::Impression> queue_;
  std::thread thread_;

  metrics::Counter& relayed_;
  metrics::Counter& dropped_;
};

// Hands the impressions of `partition`'s stream after entry id `after` ("-" for the start) to `sink`, up
// to `count` per round trip until none is left; returns the id of the last entry read (`after` when none).
// An entry that does not decode is skipped (logged). Unavailable when Redis fails.
Result<std::string> DrainImpressions(bus::RedisClient& client, uint32_t partition, const std::string& after,
                                     impressions::ImpressionSink& sink, size_t count = 500);

// The XTRIM MINID bound that removes entry `id` and every entry before it ("0" when id is "-": nothing).
std::string MinIdAfter(std::string_view id);

}  // namespace segue::nodes
