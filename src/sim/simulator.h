// The simulated world: a synthetic catalog and a population of listeners, advanced together in event
// time. Events go to an EventSink (an NDJSON file, a test vector, later an HTTP client) in global
// timestamp order (ties broken by listener index), in batches.
//
// Contract:
//  - Deterministic: the same SimConfig gives the same events in the same order, batch boundaries aside.
//  - Listener i has user_id "u%06d" and event ids "s<seed>-u%06d-<n>", unique within a run and
//    distinct between seeds, so two runs with different seeds can be sent to one server.
//  - RunUntil() can be called repeatedly with increasing times, so a driver can react between steps
//    (e.g. OfferRecommendations on a listener) — the shape a live, closed-loop run needs.
// Not thread-safe: one thread drives a Simulator.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <span>
#include <vector>

#include "common/status.h"
#include "events/event.h"
#include "sim/listener.h"
#include "sim/sim_params.h"
#include "sim/synthetic_catalog.h"

namespace segue::sim {

struct SimConfig {
  uint32_t users = 1000;
  uint32_t days = 7;
  uint64_t seed = 1;
  int64_t start_ms = 1736121600000;  // 2025-01-06T00:00:00Z; fixed so output is reproducible
  CatalogParams catalog;
  BehaviourParams behaviour;
};

// Receives events in timestamp order. Write() is called with batches of up to a few thousand events.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual Status Write(std::span<const Event> events) = 0;
};

// Keeps every event in memory (tests; the closed-loop driver's rounds).
class VectorSink : public EventSink {
 public:
  Status Write(std::span<const Event> events) override {
    events_.insert(events_.end(), events.begin(), events.end());
    return Status::Ok();
  }
  std::vector<Event>& events() { return events_; }

 private:
  std::vector<Event> events_;
};

struct SimStats {
  uint64_t events = 0;
  std::array<uint64_t, kEventTypeCount> by_type{};
  int64_t first_ts_ms = 0;
  int64_t last_ts_ms = 0;

  uint64_t count(EventType t) const { return by_type[static_cast<int>(t)]; }
};

class Simulator {
 public:
  explicit Simulator(const SimConfig& config);

  const SimConfig& config() const { return config_; }
  const SyntheticCatalog& catalog() const { return catalog_; }
  size_t listener_count() const { return listeners_.size(); }
  Listener& listener(size_t i) { return *listeners_[i]; }
  const Listener& listener(size_t i) const { return *listeners_[i]; }
  int64_t end_ms() const;

  // Performs every action due before `until_ms` and writes the events to `sink`. Stops at the first
  // sink error and returns it (events of the failed batch count as not delivered).
  Status RunUntil(int64_t until_ms, EventSink& sink);
  // Performs at most one action of each listener due before `until_ms` and writes their events to `sink`;
  // returns how many actions it performed (0: none is due before `until_ms`). A closed-loop driver calls it
  // until it returns 0, reacting between calls: a listener's next action (e.g. the decision 200 ms after a
  // skip) then always comes after the server could answer its previous events.
  Result<size_t> RunRound(int64_t until_ms, EventSink& sink);
  // Runs to the end of the simulated period.
  Status Run(EventSink& sink) { return RunUntil(kNever, sink); }
  bool done() const { return queue_.empty(); }
  // Event time of the earliest pending action (kNever when done).
  int64_t next_action_ms() const { return queue_.empty() ? kNever : queue_.top().first; }

  // Called every ~64k events with the figures so far (progress reporting).
  void set_progress(std::function<void(const SimStats&)> progress) { progress_ = std::move(progress); }
  const SimStats& stats() const { return stats_; }
  uint64_t sessions() const;

 private:
  using Due = std::pair<int64_t, uint32_t>;  // (next action time, listener index)

  // Listener i's due action into `batch` (and the statistics); requeues it unless it is done.
  void StepListener(uint32_t i, std::vector<Event>* batch);

  SimConfig config_;
  SyntheticCatalog catalog_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue_;
  SimStats stats_;
  std::function<void(const SimStats&)> progress_;
};

}  // namespace segue::sim
