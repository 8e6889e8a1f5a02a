// ModelWorkerPool: a few threads that run the model stage (retriever + ranker) of recommendations off
// the request's thread, so a deadline can answer with a fallback while a slow model is still running.
// (Checking the clock between stages cannot stop a retriever that is slow inside one call; running it
// here can: the request is answered at the deadline, and the late result still fills the cache.)
//
// Bounded: at most `queue_capacity` tasks wait; TrySubmit refuses more (the caller falls back at once
// instead of queueing behind work that will miss its deadline anyway). Tasks still queued when the pool
// is destroyed are dropped unrun; running ones finish first.
// Thread-safety: TrySubmit is safe concurrently.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace segue::recommend {

class ModelWorkerPool {
 public:
  ModelWorkerPool(size_t threads, size_t queue_capacity);
  ~ModelWorkerPool();
  ModelWorkerPool(const ModelWorkerPool&) = delete;
  ModelWorkerPool& operator=(const ModelWorkerPool&) = delete;

  // False when the queue is full (the task is not run).
  bool TrySubmit(std::function<void()> task);

 private:
  void Loop();

  const size_t queue_capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace segue::recommend
