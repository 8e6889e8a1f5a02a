// Pipeline: the stage between the durable event log and everything that reacts to committed events
// (session tracker, features, scoring, and later recommendations and feedback).
//
// The log's committer thread calls Dispatch() with each committed group. Dispatch only splits the group
// by partition onto the queues of `workers` worker threads (partition p belongs to worker p % workers,
// so one worker owns each partition and a listener's events are handled in log order) and returns: the
// acknowledgement of a batch no longer waits for its scoring. Each worker hands its events, in seq
// order, to the Consumer.
//
// Bounds: a worker's queue holds at most `queue_events` events. Dispatch waits while a queue is full,
// which stalls the committer and so, through the log's own bounded queue, turns into 503 back-pressure
// for clients instead of unbounded memory. Committed events are never dropped.
//
// Progress: applied_seq() is a watermark: every event with seq <= it has been consumed (events of all
// partitions, whichever worker owns them). Snapshots use it as the seq they cover, so a restore replays
// from there. WhenApplied(seq, fn) runs fn once the watermark reaches seq: read-your-writes for readers
// that must see everything acknowledged before their request.
//
// Metrics: queued events per worker, events dispatched and consumed, lag (dispatched - watermark), and the
// time Dispatch spent waiting for a full queue.
//
// Thread-safety: Dispatch from one thread at a time (the log's committer); applied_seq, WhenApplied and
// Stop from any thread. The Consumer is called from the worker threads, concurrently for different
// partitions; it must be thread-safe across partitions.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "events/event.h"

namespace segue {

struct PipelineOptions {
  uint32_t workers = 2;           // threads consuming events; each owns the partitions p % workers
  size_t queue_events = 1u << 16;  // per worker; Dispatch waits beyond it
  // Scheduling niceness of the worker threads relative to the process (0..19). The acknowledgement path
  // (HTTP threads, the log's committer) is latency-critical and the workers are not (their queues absorb
  // bursts), so on a machine with fewer cores than busy threads they yield to it.
  int worker_nice = 5;
};

class Pipeline {
 public:
  using Consumer = std::function<void(const std::vector<LoggedEvent>&)>;

  // `start_seq`: the watermark to start from (the last seq already applied, e.g. by a restore).
  Pipeline(PipelineOptions options, Consumer consumer, uint64_t start_seq, metrics::Registry& registry);
  ~Pipeline();  // Stop()
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Queues the group's events (in seq order) for their workers; waits while a target queue is full.
  void Dispatch(const std::vector<LoggedEvent>& events);

  uint64_t applied_seq() const;
  // Runs fn (on a worker thread, on the Dispatch caller's when the workers finished a group before it was
  // published, or inline when already true) once applied_seq() >= seq. After Stop() every pending fn has run.
  void WhenApplied(uint64_t seq, std::function<void()> fn);

  // Consumes everything already dispatched, then joins the workers. Idempotent. Dispatch after Stop
  // consumes inline on the caller's thread (for a log that is still closing).
  void Stop();

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;  // work arrived, room freed, or stopping
    std::deque<std::vector<LoggedEvent>> queue;
    size_t queued_events = 0;
    bool busy = false;            // a batch popped and being consumed
    bool stopping = false;
    uint64_t consumed_seq = 0;    // last seq this worker consumed
    std::thread thread;
    metrics::Gauge* queued_gauge = nullptr;
  };

  void Run(Worker& w);
  uint64_t ComputeWatermark() const;
  void AdvanceWatermark();

  const PipelineOptions options_;
  const Consumer consumer_;
  std::vector<std::unique_ptr<Worker>> workers_;

  std::atomic<uint64_t> dispatched_seq_;  // highest seq handed to a worker queue
  std::atomic<uint64_t> applied_seq_;
  mutable std::mutex waiters_mu_;
  std::multimap<uint64_t, std::function<void()>> waiters_;
  bool stopped_ = false;  // guarded by waiters_mu_

  metrics::Counter& dispatched_;
  metrics::Counter& consumed_;
  std::atomic<uint64_t> blocked_us_{0};  // segue_pipeline_dispatch_blocked_seconds_total
};

}  // namespace segue
