// RedisEventAppender: EventAppender (log/event_appender.h) on Redis Streams, for several ingest nodes
// sharing one Redis deployment (redis_bus_options.h has the durability policy and the connection checks).
//
// Each event is stored by one Lua script (EVALSHA; loaded on every master at Open, re-sent as EVAL on
// NOSCRIPT, e.g. on a replica promoted since) on the keys of its partition PartitionOf(user_id, partitions),
// which share the hash tag `{p}` and so one cluster slot (redis_keys.h):
//   if segue:{p}:dedup:<event_id> exists → duplicate (seq 0), nothing written;
//   else offset = INCR segue:{p}:offset, XADD segue:{p}:events <offset>-1 r <record>,
//        SET segue:{p}:dedup:<event_id> 1 PX dedup_window_ms → seq = offset.
// A script runs atomically, so two nodes appending the same event_id store it once. The record is the
// event encoded by log/record_codec.h with seq 0 (the offset is assigned inside Redis; readers take it from
// the entry id). Offsets are strictly increasing per partition; they may have gaps.
// De-duplication is per partition: a retry carries the same user_id, so it lands in the same partition.
// Each id costs one key with a TTL for dedup_window_ms (about 110 bytes of Redis memory, docs/scaling.md).
//
// One writer thread drains the queue: up to max_batch_events events of many callers go out as one
// pipeline (one round trip and one AOF fsync per master touched), followed by WAIT per master when
// wait_replicas > 0; then each caller's `done` runs on the writer thread, in queue order, so per-listener
// append order is kept. Lua numbers are doubles: offsets are exact up to 2^53 per partition.
//
// Failures: more than max_in_flight_events queued or in flight → ResourceExhausted inline. A batch that
// fails to reach Redis (refused, I/O error, timeout, WAIT short of replicas) fails every caller of the
// batch with Unavailable (some of its events may be stored: a client's retry is then a duplicate) and
// marks the appender unhealthy: AppendAsync then fails inline with Unavailable (health()) until the writer's
// PING, every 250 ms, succeeds again. A Redis that is down thus costs a caller at most one command
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

#include "bus/redis_bus_options.h"
#include "bus/redis_client.h"
#include "log/event_appender.h"

namespace segue::bus {

class RedisEventAppender final : public EventAppender {
 public:
  static Result<std::unique_ptr<RedisEventAppender>> Open(RedisBusOptions options);
  // Stops the writer after its current batch; queued callers get Unavailable.
  ~RedisEventAppender() override;

  void AppendAsync(std::vector<Event> events, AppendCallback done) override;
  Status health() const override;
  uint32_t partitions() const override { return options_.partitions; }

 private:
  struct Request {
    std::vector<Event> events;
    AppendCallback done;
  };

  RedisEventAppender(RedisBusOptions options, std::unique_ptr<RedisClient> client, std::string sha);
  void Run();
  std::vector<Request> TakeBatch(std::unique_lock<std::mutex>& lock);
  void WriteBatch(std::vector<Request>& batch);
  Result<std::vector<RedisReply>> RunScripts(const std::vector<Request>& batch);
  void Probe();
  void Finish(std::vector<Request>& batch, const std::vector<Result<AppendOutcome>>& outcomes);

  const RedisBusOptions options_;
  std::unique_ptr<RedisClient> client_;  // the writer thread's
  const std::string sha_;                // SHA1 of the append script

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Request> queue_;
  size_t in_flight_ = 0;  // events queued or being written
  Status health_;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace segue::bus
