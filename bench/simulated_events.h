// Shared by the benchmarks of what a pipeline worker does per committed event (listening_feed_bench,
// monitoring_bench): a simulated day of events, 3,000 listeners × 1 day, seed 7 (the shape of
// bench/scripts/ingest_ab.sh's input), fed to LiveScoring in committed groups of 100 with only
// OnCommitted timed, and their common reference (the tracker alone).
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <span>
#include <vector>

#include "catalog/catalog.h"
#include "common/hash.h"
#include "events/event.h"
#include "models/live_scoring.h"
#include "session/session_tracker.h"
#include "sim/simulator.h"

namespace segue::bench {

constexpr size_t kGroup = 100;

class Collect : public sim::EventSink {
 public:
  Status Write(std::span<const Event> events) override {
    for (const Event& e : events) {
      LoggedEvent& l = logged.emplace_back();
      l.seq = logged.size();
      l.partition = PartitionOf(e.user_id, 16);
      l.event = e;
    }
    return Status::Ok();
  }
  std::vector<LoggedEvent> logged;
};

// 3,000 listeners × 1 day, seed 7 (the shape of bench/scripts/ingest_ab.sh's input).
inline const std::vector<LoggedEvent>& Events() {
  static const std::vector<LoggedEvent> events = [] {
    sim::SimConfig config;
    config.users = 3000;
    config.days = 1;
    config.seed = 7;
    sim::Simulator simulator(config);
    Collect sink;
    (void)simulator.Run(sink);
    return std::move(sink.logged);
  }();
  return events;
}

inline void Feed(LiveScoring& live, benchmark::State& st) {
  const std::vector<LoggedEvent>& events = Events();
  std::vector<LoggedEvent> group;
  for (size_t i = 0; i < events.size(); i += kGroup) {
    group.assign(events.begin() + static_cast<std::ptrdiff_t>(i),
                 events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), i + kGroup)));
    st.ResumeTiming();
    live.OnCommitted(group);
    st.PauseTiming();
  }
}

// The reference of every per-event benchmark: LiveScoring without observers or model (the tracker alone),
// from empty state each iteration.
inline void BM_TrackerOnly(benchmark::State& st) {
  for (auto _ : st) {
    st.PauseTiming();
    Catalog catalog;
    SessionTracker tracker(&catalog);
    LiveScoring live(&tracker, &catalog, nullptr);
    Feed(live, st);
    st.ResumeTiming();
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * Events().size()));
}

}  // namespace segue::bench
