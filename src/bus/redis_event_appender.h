// RedisEventAppender: EventAppender (log/event_appender.h) on Redis Streams, for several ingest nodes
// sharing one Redis deployment (redis_bus_options.h has the durability policy and the connection checks).
//
// The events of one partition PartitionOf(user_id, partitions) in a batch are stored by one Lua script
// (EVALSHA; loaded on every master at Open, re-sent as EVAL on NOSCRIPT, e.g. on a replica promoted since)
// on keys that share the hash tag `{p}` and so one cluster slot (redis_keys.h); per event, in order:
//   SET segue:{p}:dedup:<event_id> 1 NX PX dedup_window_ms fails → duplicate (seq 0), nothing written;
//   else offset = offset + 1 and XADD segue:{p}:events <offset>-1 r <record> → seq = offset;
// and segue:{p}:offset is read before and written after the loop.
// A script runs atomically, so two nodes appending the same event_id store it once. The record is the
// event encoded by log/record_codec.h with seq 0 (the offset is assigned inside Redis; readers take it from
// the entry id). Offsets are dense per partition (1, 2, 3, ...), also when a script fails halfway (it
// writes back the offsets it used).
// De-duplication is per partition: a retry carries the same user_id, so it lands in the same partition.
// Each id costs one key with a TTL for dedup_window_ms (about 135 bytes of Redis memory, docs/scaling.md).
//
// Writers: `writers` threads, each with its own connections; partition p's events go to writer
// p % writers, so one listener's events keep their append order. A writer drains its queue: up to
// max_batch_events events of many callers go out as one pipeline (one round trip per master touched),
// followed by WAIT per master when wait_replicas > 0. Several writers matter because redis-server reads at
// most 16 KiB per connection per event-loop turn and fsyncs the AOF once per turn: more connections, more
// events per fsync. A caller's `done` runs on the writer that finished its last part (append_call.h).
// Lua numbers are doubles: offsets are exact up to 2^53 per partition.
//
// Failures: more than max_in_flight_events queued or in flight → ResourceExhausted inline. A batch that
// fails to reach Redis (refused, I/O error, timeout, WAIT short of replicas) fails every caller of the
// batch with Unavailable (some of its events may be stored: a client's retry is then a duplicate) and
// marks the appender unhealthy: AppendAsync then fails inline with Unavailable (health()) until a writer's
// probe, every 250 ms, succeeds again: PING, or with wait_replicas > 0 WAIT on its connection (so a master
// whose replicas are gone stays refused until they are back and caught up; in a cluster the probe asks
// one master only). A Redis that is down thus costs a caller at most one command
// timeout, and afterwards nothing. An error reply of the script fails that caller with Internal.
//
// Thread-safety: every method is safe to call from any thread; callbacks must not call the destructor.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/append_call.h"
#include "bus/redis_bus_options.h"
#include "bus/redis_client.h"
#include "log/event_appender.h"

namespace segue::bus {

class RedisEventAppender final : public EventAppender {
 public:
  static Result<std::unique_ptr<RedisEventAppender>> Open(RedisBusOptions options);
  // Stops the writers after their current batches; queued callers get Unavailable.
  ~RedisEventAppender() override;

  void AppendAsync(std::vector<Event> events, AppendCallback done) override;
  Status health() const override;
  uint32_t partitions() const override { return options_.partitions; }

 private:
  struct Part {  // the events of one call that go through one writer
    std::shared_ptr<AppendCall> call;
    std::vector<Event> events;
    std::vector<uint32_t> indices;  // of `events` in the call's input
  };
  struct Writer {
    std::unique_ptr<RedisClient> client;  // used by this writer's thread only
    std::deque<Part> queue;               // guarded by mu_
    std::condition_variable wake;
    std::thread thread;
  };

  RedisEventAppender(RedisBusOptions options, std::string sha);
  void Run(Writer& writer);
  std::vector<Part> TakeBatch(Writer& writer);
  void WriteBatch(RedisClient& client, std::vector<Part>& batch);
  Result<std::vector<RedisReply>> RunScripts(RedisClient& client, const std::vector<Part>& batch);
  Status RetryUnloaded(RedisClient& client, std::vector<RedisCommand>& commands, std::vector<RedisReply>& replies);
  static std::vector<RedisReply> Spread(std::vector<RedisReply>& replies,
                                        const std::vector<std::vector<size_t>>& members, size_t events);
  void Probe(RedisClient& client);
  void Fail(std::vector<Part>& parts, const Status& why);
  void Done(size_t events);

  const RedisBusOptions options_;
  const std::string sha_;  // SHA1 of the append script
  std::vector<std::unique_ptr<Writer>> writers_;

  mutable std::mutex mu_;
  size_t in_flight_ = 0;  // events queued or being written
  Status health_;
  bool stop_ = false;
};

}  // namespace segue::bus
