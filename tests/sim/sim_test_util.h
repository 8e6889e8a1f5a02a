// Helpers shared by the simulator tests.
#pragma once

#include <span>
#include <vector>

#include "sim/simulator.h"

namespace segue::sim {

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
