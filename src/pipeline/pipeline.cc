#include "pipeline/pipeline.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace segue {

Pipeline::Pipeline(PipelineOptions options, Consumer consumer, PartitionOffsets start, metrics::Registry& registry)
    : options_(options),
      consumer_(std::move(consumer)),
      progress_(start.size()),
      applied_(std::make_unique<std::atomic<uint64_t>[]>(start.size())),
      dispatch_tally_(start.size()),
      waiters_(start.size()),
      dispatched_(registry.AddCounter("segue_pipeline_dispatched_events_total",
                                      "Committed events handed from the log to the pipeline's workers.")),
      consumed_(registry.AddCounter("segue_pipeline_consumed_events_total",
                                    "Events the pipeline's workers have consumed (tracker, scoring).")) {
  for (size_t p = 0; p < start.size(); ++p) {
    progress_[p].dispatched = progress_[p].consumed = start[p];
    applied_[p].store(start[p]);
  }
  const uint32_t n = std::max<uint32_t>(1, options_.workers);
  registry.AddCallbackCounter("segue_pipeline_dispatch_blocked_seconds_total",
                              "Time the log's committer waited for room in a full worker queue.",
                              [this] { return static_cast<double>(blocked_us_.load()) / 1e6; });
  registry.AddCallbackGauge("segue_pipeline_lag_events",
                            "Events committed to the log but not yet consumed by the pipeline (dispatched - "
                            "consumed).",
                            [this] { return static_cast<double>(dispatched_.value() - consumed_.value()); });
  for (uint32_t i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>(start.size());
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
  // Counted before the workers can consume them, so the lag never goes below zero.
  dispatched_.Inc(events.size());
  for (size_t i = 0; i < n; ++i) {
    if (!split[i].empty()) Enqueue(*workers_[i], std::move(split[i]));
  }
}

void Pipeline::Tally::Add(const std::vector<LoggedEvent>& events) {
  for (const LoggedEvent& e : events) {
    if (count[e.partition]++ == 0) touched.push_back(e.partition);
    last[e.partition] = e.seq;
  }
}

void Pipeline::Tally::Clear() {
  for (uint32_t p : touched) count[p] = 0;
  touched.clear();
}

void Pipeline::Enqueue(Worker& w, std::vector<LoggedEvent> events) {
  Tally& tally = dispatch_tally_;
  tally.Add(events);
  std::unique_lock lock(w.mu);
  if (w.queued_events > 0 && w.queued_events + events.size() > options_.queue_events) {
    const auto start = std::chrono::steady_clock::now();
    // A batch larger than the whole queue still goes in once the queue is empty.
    w.cv.wait(lock, [&] { return w.queued_events == 0 || w.queued_events + events.size() <= options_.queue_events; });
    blocked_us_.fetch_add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                    std::chrono::steady_clock::now() - start)
                                                    .count()),
                          std::memory_order_relaxed);
  }
  // Under the worker's lock with the queue push, so a worker that finishes a batch sees either both the
  // new events and the new dispatched offset, or neither.
  for (uint32_t p : tally.touched) {
    progress_[p].dispatched = tally.last[p];
    progress_[p].in_flight += tally.count[p];
  }
  w.queued_events += events.size();
  w.queued_gauge->Set(static_cast<double>(w.queued_events));
  w.queue.push_back(std::move(events));
  lock.unlock();
  w.cv.notify_all();
  tally.Clear();
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
    }
    w.cv.notify_all();  // room for Dispatch
    consumer_(batch);
    consumed_.Inc(batch.size());
    w.tally.Add(batch);
    Finished(w);
    ReleaseWaiters(w.tally.touched);
    w.tally.Clear();
  }
}

// A partition with nothing in flight has consumed all it was dispatched; otherwise everything up to the
// last offset of it this worker finished (its later events have larger offsets).
void Pipeline::Finished(Worker& w) {
  std::lock_guard lock(w.mu);
  for (uint32_t partition : w.tally.touched) {
    PartitionProgress& p = progress_[partition];
    p.in_flight -= w.tally.count[partition];
    p.consumed = w.tally.last[partition];
    applied_[partition].store(p.in_flight == 0 ? p.dispatched : p.consumed);
  }
}

void Pipeline::ReleaseWaiters(const std::vector<uint32_t>& partitions) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(waiters_mu_);
    for (uint32_t partition : partitions) {
      auto& waiting = waiters_[partition];
      auto end = waiting.upper_bound(applied_[partition].load());
      for (auto it = waiting.begin(); it != end; ++it) ready.push_back(std::move(it->second));
      waiting.erase(waiting.begin(), end);
    }
  }
  for (auto& fn : ready) fn();
}

PartitionOffsets Pipeline::applied_offsets() const {
  PartitionOffsets out(progress_.size());
  for (size_t p = 0; p < out.size(); ++p) out[p] = applied_[p].load();
  return out;
}

void Pipeline::WhenApplied(uint32_t partition, uint64_t offset, std::function<void()> fn) {
  {
    // Checked under the lock the workers take after publishing a watermark: a waiter is either seen as
    // reached here or inserted before the worker looks.
    std::lock_guard lock(waiters_mu_);
    if (!stopped_ && applied_[partition].load() < offset) {
      waiters_[partition].emplace(offset, std::move(fn));
      return;
    }
  }
  fn();  // reached, or stopped: nothing more will be consumed
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
  std::vector<std::multimap<uint64_t, std::function<void()>>> left(waiters_.size());
  {
    std::lock_guard lock(waiters_mu_);
    stopped_ = true;
    left.swap(waiters_);
  }
  for (auto& waiting : left) {
    for (auto& [offset, fn] : waiting) fn();
  }
}

}  // namespace segue
