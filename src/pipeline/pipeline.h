// Pipeline: the stage between the durable event log and everything that reacts to committed events
// (session tracker, features, scoring, recommendations and feedback).
//
// Whoever delivers committed events (the embedded log's committer; a bus's partition readers) calls
// Dispatch(). Dispatch only splits the events by partition onto the queues of `workers` worker threads
// (partition p belongs to worker p % workers, so one worker owns each partition and a listener's events
// are handled in log order) and returns: the acknowledgement of a batch does not wait for its scoring.
// Each worker hands its events, in the order dispatched, to the Consumer.
//
// Input: events of any subset of partitions, each partition's in strictly increasing offset order across
// calls (PartitionSource's offsets; the embedded log's seqs). Offsets of different partitions are not
// compared: partitions may be dispatched and applied in any relative order.
//
// Bounds: a worker's queue holds at most `queue_events` events. Dispatch waits while a queue is full,
// which stalls the deliverer and so, through the log's own bounded queue, turns into 503 back-pressure
// for clients instead of unbounded memory. Committed events are never dropped.
//
// Progress, per partition: applied_offsets()[p] is a watermark: every event of p with offset <= it has
// been consumed. Snapshots record these watermarks, so a restore replays each partition from its own.
// WhenApplied(p, offset, fn) runs fn once p's watermark reaches offset: read-your-writes for readers that
// must see what was acknowledged in a listener's partition before their request.
//
// Metrics: queued events per worker, events dispatched and consumed, lag (dispatched - consumed), and the
// time Dispatch spent waiting for a full queue.
//
// Thread-safety: Dispatch from one thread at a time; applied_offsets, WhenApplied, consumed_events and
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
#include "log/partition_source.h"

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

  // `start`: per partition, the offset already applied (e.g. by a restore); its size is the number of
  // partitions, and every dispatched event's partition must be below it.
  Pipeline(PipelineOptions options, Consumer consumer, PartitionOffsets start, metrics::Registry& registry);
  ~Pipeline();  // Stop()
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Queues the events for their workers; waits while a target queue is full.
  void Dispatch(const std::vector<LoggedEvent>& events);

  PartitionOffsets applied_offsets() const;
  // Events consumed since construction (all partitions).
  uint64_t consumed_events() const { return consumed_.value(); }
  // Runs fn (on a worker thread, or inline when already true) once applied_offsets()[partition] >= offset.
  // After Stop() every pending fn has run.
  void WhenApplied(uint32_t partition, uint64_t offset, std::function<void()> fn);

  // Consumes everything already dispatched, then joins the workers. Idempotent. Dispatch after Stop
  // consumes inline on the caller's thread (for a log that is still closing).
  void Stop();

 private:
  // Per-partition count and last offset of a batch of events, tallied before taking a worker's lock so
  // the lock is held per partition touched, not per event (the committer waits on it, and a worker
  // preempted while holding it, at its lower priority, would stall the committer).
  struct Tally {
    explicit Tally(size_t partitions) : count(partitions), last(partitions) {}
    void Add(const std::vector<LoggedEvent>& events);
    void Clear();
    std::vector<size_t> count;
    std::vector<uint64_t> last;
    std::vector<uint32_t> touched;  // partitions with count > 0
  };
  struct Worker {
    explicit Worker(size_t partitions) : tally(partitions) {}
    std::mutex mu;
    std::condition_variable cv;  // work arrived, room freed, or stopping
    std::deque<std::vector<LoggedEvent>> queue;
    size_t queued_events = 0;
    bool stopping = false;
    std::thread thread;
    metrics::Gauge* queued_gauge = nullptr;
    Tally tally;  // the worker thread's scratch
  };
  // One partition's progress, guarded by its worker's mutex.
  struct PartitionProgress {
    uint64_t dispatched = 0;  // highest offset queued
    uint64_t consumed = 0;    // highest offset of the last batch consumed
    size_t in_flight = 0;     // events queued or being consumed
  };

  void Enqueue(Worker& w, std::vector<LoggedEvent> events);
  void Run(Worker& w);
  void Finished(Worker& w);
  void ReleaseWaiters(const std::vector<uint32_t>& partitions);

  const PipelineOptions options_;
  const Consumer consumer_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<PartitionProgress> progress_;
  std::unique_ptr<std::atomic<uint64_t>[]> applied_;  // [partitions]: the watermarks, readable lock-free
  Tally dispatch_tally_;  // Dispatch's scratch (one caller at a time)

  mutable std::mutex waiters_mu_;
  std::vector<std::multimap<uint64_t, std::function<void()>>> waiters_;  // [partition]
  bool stopped_ = false;  // guarded by waiters_mu_

  metrics::Counter& dispatched_;
  metrics::Counter& consumed_;
  std::atomic<uint64_t> blocked_us_{0};  // segue_pipeline_dispatch_blocked_seconds_total
};

}  // namespace segue
