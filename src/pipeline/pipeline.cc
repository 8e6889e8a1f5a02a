#include "pipeline/pipeline.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace segue {

Pipeline::Pipeline(PipelineOptions options, Consumer consumer, uint64_t start_seq, metrics::Registry& registry)
    : options_(options),
      consumer_(std::move(consumer)),
      dispatched_seq_(start_seq),
      applied_seq_(start_seq),
      dispatched_(registry.AddCounter("segue_pipeline_dispatched_events_total",
                                      "Committed events handed from the log to the pipeline's workers.")),
      consumed_(registry.AddCounter("segue_pipeline_consumed_events_total",
                                    "Events the pipeline's workers have consumed (tracker, scoring).")) {
  const uint32_t n = std::max<uint32_t>(1, options_.workers);
  registry.AddCallbackCounter("segue_pipeline_dispatch_blocked_seconds_total",
                              "Time the log's committer waited for room in a full worker queue.",
                              [this] { return static_cast<double>(blocked_us_.load()) / 1e6; });
  registry.AddCallbackGauge("segue_pipeline_lag_events",
                            "Events committed to the log but not yet consumed by the pipeline (dispatched - "
                            "watermark).",
                            [this] { return static_cast<double>(dispatched_seq_.load() - applied_seq_.load()); });
  for (uint32_t i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->consumed_seq = start_seq;
    w->queued_gauge = &registry.AddGauge("segue_pipeline_worker" + std::to_string(i) + "_queued_events",
                                         "Events waiting in pipeline worker " + std::to_string(i) + "'s queue.");
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) w->thread = std::thread([this, worker = w.get()] { Run(*worker); });
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Dispatch(const std::vector<LoggedEvent>& events) {
  if (events.empty()) return;
  {
    std::lock_guard lock(waiters_mu_);
    if (stopped_) {
      consumer_(events);
      return;
    }
  }
  const size_t n = workers_.size();
  std::vector<std::vector<LoggedEvent>> split(n);
  for (const LoggedEvent& e : events) split[e.partition % n].push_back(e);
  for (size_t i = 0; i < n; ++i) {
    if (split[i].empty()) continue;
    Worker& w = *workers_[i];
    std::unique_lock lock(w.mu);
    if (w.queued_events > 0 && w.queued_events + split[i].size() > options_.queue_events) {
      const auto start = std::chrono::steady_clock::now();
      // A batch larger than the whole queue still goes in once the queue is empty.
      w.cv.wait(lock, [&] { return w.queued_events == 0 || w.queued_events + split[i].size() <= options_.queue_events; });
      blocked_us_.fetch_add(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count()),
          std::memory_order_relaxed);
    }
    w.queued_events += split[i].size();
    w.queued_gauge->Set(static_cast<double>(w.queued_events));
    w.queue.push_back(std::move(split[i]));
    lock.unlock();
    w.cv.notify_all();
  }
  dispatched_.Inc(events.size());
  // Published after every event of the group is queued: a reader of dispatched_seq_ knows that all
  // events up to it are in some queue or consumed (see ComputeWatermark).
  dispatched_seq_.store(std::max(dispatched_seq_.load(), events.back().seq));
  // A worker that finished these events before the store above computed its watermark from the older
  // dispatched seq, and no worker may run again until the next group: catch up here.
  AdvanceWatermark();
}

void Pipeline::Run(Worker& w) {
  // Linux applies a nice value to the calling thread alone when given its thread id. Best effort: a
  // failure (e.g. not permitted) leaves the thread at the process's priority.
  if (options_.worker_nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), getpriority(PRIO_PROCESS, 0) + options_.worker_nice);
  for (;;) {
    std::vector<LoggedEvent> batch;
    {
      std::unique_lock lock(w.mu);
      w.cv.wait(lock, [&] { return !w.queue.empty() || w.stopping; });
      if (w.queue.empty()) return;  // stopping and drained
      batch = std::move(w.queue.front());
      w.queue.pop_front();
      w.queued_events -= batch.size();
      w.queued_gauge->Set(static_cast<double>(w.queued_events));
      w.busy = true;
    }
    w.cv.notify_all();  // room for Dispatch
    consumer_(batch);
    consumed_.Inc(batch.size());
    {
      std::lock_guard lock(w.mu);
      w.busy = false;
      w.consumed_seq = batch.back().seq;
    }
    AdvanceWatermark();
  }
}

uint64_t Pipeline::ComputeWatermark() const {
  // Read before the workers: every event up to `dispatched` was queued before it was published.
  const uint64_t dispatched = dispatched_seq_.load();
  uint64_t mark = dispatched;
  for (const auto& w : workers_) {
    std::lock_guard lock(w->mu);
    // An idle worker with an empty queue has consumed all of its events up to `dispatched`; a busy one
    // at least everything up to its last finished batch (its next events have larger seqs).
    if (!w->queue.empty() || w->busy) mark = std::min(mark, w->consumed_seq);
  }
  return mark;
}

void Pipeline::AdvanceWatermark() {
  const uint64_t mark = ComputeWatermark();
  uint64_t prev = applied_seq_.load();
  while (mark > prev && !applied_seq_.compare_exchange_weak(prev, mark)) {
  }
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(waiters_mu_);
    const uint64_t applied = applied_seq_.load();
    auto end = waiters_.upper_bound(applied);
    for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
  }
  for (auto& fn : ready) fn();
}

uint64_t Pipeline::applied_seq() const { return applied_seq_.load(); }

void Pipeline::WhenApplied(uint64_t seq, std::function<void()> fn) {
  if (applied_seq_.load() >= seq) return fn();
  {
    std::lock_guard lock(waiters_mu_);
    if (!stopped_) {
      waiters_.emplace(seq, std::move(fn));
      fn = nullptr;
    }
  }
  if (fn) return fn();  // stopped: nothing more will be consumed
  AdvanceWatermark();   // the workers may have caught up between the check and the insert
}

void Pipeline::Stop() {
  {
    std::lock_guard lock(waiters_mu_);
    if (stopped_) return;
  }
  for (auto& w : workers_) {
    {
      std::lock_guard lock(w->mu);
      w->stopping = true;
    }
    w->cv.notify_all();
  }
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  AdvanceWatermark();
  std::multimap<uint64_t, std::function<void()>> left;
  {
    std::lock_guard lock(waiters_mu_);
    stopped_ = true;
    left.swap(waiters_);
  }
  for (auto& [seq, fn] : left) fn();
}

}  // namespace segue
