// Helpers shared by the simulator tests.
#pragma once

#include <span>
#include <vector>

#include "sim/simulator.h"

namespace segue::sim {

// Collects everything the simulator emits.
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

inline SimConfig SmallConfig(uint32_t users, uint32_t days, uint64_t seed) {
  SimConfig c;
  c.users = users;
  c.days = days;
  c.seed = seed;
  c.catalog.tracks = 2000;
  return c;
}

inline std::vector<Event> RunAll(const SimConfig& config) {
  Simulator sim(config);
  VectorSink sink;
  Status s = sim.Run(sink);
  return std::move(sink.events());
}

}  // namespace segue::sim
