// Maintenance: the server's periodic background tasks (session snapshots, idle-session eviction, log
// retention, model reloads) on one thread of their own, never on the HTTP threads. Tasks run one at a
// time, so two tasks never overlap (a snapshot and an eviction never race for the tracker's locks).
//
// Contract: Every() only before Start(); each task first runs one period after Start(). Post() runs a task
// once, after the tasks running or already due (one at a time with them: how an admin request checks the
// models without racing the periodic model checks); posted before Start(), it runs once the thread starts;
// still queued at Stop(), it is dropped. Stop() cancels
// the timers, waits for a task that is running and joins the thread; it is idempotent and the destructor
// calls it. A task that throws terminates the process (tasks report failures by logging).
// Thread-safety: Every/Start/Stop from the owning thread; Post from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace segue::serving {

class Maintenance {
 public:
  Maintenance();
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  void Every(std::chrono::milliseconds period, std::function<void()> task);
  void Post(std::function<void()> task);
  void Start();
  void Stop();

 private:
  struct Task;

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::unique_ptr<Task>> tasks_;
  std::thread thread_;
};

}  // namespace segue::serving
