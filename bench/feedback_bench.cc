// What a pipeline worker pays per committed event for the feedback collector
// (feedback/feedback_collector.h), as CPU per event of LiveScoring::OnCommitted over a simulated day,
// against LiveScoring without observers (the tracker alone) in the same run:
//  - Idle: no impression pending anywhere (most listeners most of the time): the collector's per-event
//    cost is a shard lock and one hash lookup.
//  - Pending: 300 of the 3,000 listeners have one impression pending from the start, listing ten tracks
//    they play during the day, so their plays are attributed and their state is written through to the
//    outcome store (RocksDB in a temp dir; outcomes with a synced WAL: wall time includes the fsyncs).
// Each iteration starts from empty state and a fresh store; events go in committed groups of 100 on one
// thread. CPU is that thread's (the worker's); the WAL syncs and reports run on the collector's thread.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>
#include <vector>

#include "bench/simulated_events.h"
#include "catalog/catalog.h"
#include "events/event.h"
#include "feedback/feedback_collector.h"
#include "models/live_scoring.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

using bench::Events;

constexpr size_t kListenersWithImpressions = 300;

// One impression for each of the first listeners seen: ten tracks they play, made before their first event.
std::vector<impressions::Impression> Impressions() {
  std::unordered_map<std::string, impressions::Impression> by_user;
  for (const LoggedEvent& e : Events()) {
    auto [it, fresh] = by_user.try_emplace(e.event.user_id);
    if (fresh) {
      if (by_user.size() > kListenersWithImpressions) {
        by_user.erase(it);
        continue;
      }
      it->second.user_id = e.event.user_id;
      it->second.rec_id = "rec-" + e.event.user_id;
      it->second.event_ts_ms = e.event.ts_ms - 1;
    }
    auto& tracks = it->second.track_ids;
    if (e.event.type == EventType::kPlay && tracks.size() < 10 &&
        std::find(tracks.begin(), tracks.end(), e.event.track_id) == tracks.end()) {
      tracks.push_back(e.event.track_id);
    }
  }
  std::vector<impressions::Impression> out;
  for (auto& [user, m] : by_user) out.push_back(std::move(m));
  return out;
}

// How many events belong to listeners with an impression (the ones that can change feedback state).
size_t EventsOf(const std::vector<impressions::Impression>& shown) {
  std::unordered_map<std::string_view, bool> users;
  for (const impressions::Impression& m : shown) users[m.user_id] = true;
  return static_cast<size_t>(std::count_if(Events().begin(), Events().end(),
                                           [&](const LoggedEvent& e) { return users.contains(e.event.user_id); }));
}

BENCHMARK(bench::BM_TrackerOnly)->Name("BM_TrackerOnly")->Unit(benchmark::kMillisecond);

struct CountOutcomes : feedback::OutcomeObserver {
  void OnOutcome(const feedback::Outcome&) override { ++n; }
  size_t n = 0;
};

void RunWithCollector(benchmark::State& st, bool with_impressions) {
  CountOutcomes outcomes;
  const std::vector<impressions::Impression> shown =
      with_impressions ? Impressions() : std::vector<impressions::Impression>{};
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("segue-feedback-bench-" + std::to_string(getpid()))).string();
  for (auto _ : st) {
    st.PauseTiming();
    std::filesystem::remove_all(dir);
    {
      metrics::Registry registry;
      feedback::FeedbackOptions options;
      options.dir = dir;
      options.sweep_interval_ms = 3'600'000;
      auto collector = feedback::FeedbackCollector::Open(options, registry);
      if (!collector.ok()) return st.SkipWithError(collector.status().ToString().c_str());
      (*collector)->AddObserver(&outcomes);
      for (const impressions::Impression& m : shown) (*collector)->Record(m);
      (*collector)->Sweep();  // into the listeners' states, written to the store: not the workers' cost
      Catalog catalog;
      SessionTracker tracker(&catalog);
      LiveScoring live(&tracker, &catalog, nullptr, {}, {collector->get()});
      bench::Feed(live, st);
    }
    st.ResumeTiming();
  }
  std::filesystem::remove_all(dir);
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * Events().size()));
  st.counters["outcomes"] = benchmark::Counter(static_cast<double>(outcomes.n), benchmark::Counter::kAvgIterations);
  st.counters["their_events"] = static_cast<double>(EventsOf(shown));
}

void BM_TrackerAndFeedbackIdle(benchmark::State& st) { RunWithCollector(st, false); }
BENCHMARK(BM_TrackerAndFeedbackIdle)->Unit(benchmark::kMillisecond);

void BM_TrackerAndFeedbackPending(benchmark::State& st) { RunWithCollector(st, true); }
BENCHMARK(BM_TrackerAndFeedbackPending)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
