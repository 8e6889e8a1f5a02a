// What a pipeline worker pays per committed event for the recommender's online learning
// (recommend::ListeningFeed: listener histories + popularity and session-kNN updates), measured as CPU
// per event of LiveScoring::OnCommitted over a simulated day, against LiveScoring without observers
// (the tracker alone: what the workers did before the recommender) in the same run.
// Each iteration starts from empty state, like a server on a fresh data dir, and feeds the events in
// committed groups of 100 on one thread. Empty catalog (as `segue replay` of bare events gives the server).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <span>
#include <vector>

#include "catalog/catalog.h"
#include "common/hash.h"
#include "events/event.h"
#include "models/live_scoring.h"
#include "recommend/history_store.h"
#include "recommend/listening_feed.h"
#include "recommend/retrieval_baselines.h"
#include "session/session_tracker.h"
#include "sim/simulator.h"

namespace segue {
namespace {

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
const std::vector<LoggedEvent>& Events() {
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

void Feed(LiveScoring& live, benchmark::State& st) {
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

void BM_TrackerOnly(benchmark::State& st) {
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
BENCHMARK(BM_TrackerOnly)->Unit(benchmark::kMillisecond);

void BM_TrackerAndListeningFeed(benchmark::State& st) {
  for (auto _ : st) {
    st.PauseTiming();
    Catalog catalog;
    SessionTracker tracker(&catalog);
    recommend::HistoryStore history;
    recommend::RetrievalBaselines baselines(&catalog);
    recommend::ListeningFeed feed(&history, &baselines);
    LiveScoring live(&tracker, &catalog, nullptr, {&feed});
    Feed(live, st);
    st.ResumeTiming();
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * Events().size()));
}
BENCHMARK(BM_TrackerAndListeningFeed)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
