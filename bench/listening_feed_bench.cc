// What a pipeline worker pays per committed event for the recommender's online learning
// (recommend::ListeningFeed: listener histories + popularity and session-kNN updates), measured as CPU
// per event of LiveScoring::OnCommitted over a simulated day, against LiveScoring without observers
// (the tracker alone: what the workers did before the recommender) in the same run.
// Each iteration starts from empty state, like a server on a fresh data dir, and feeds the events in
// committed groups of 100 on one thread. Empty catalog (as `segue replay` of bare events gives the server).
#include <benchmark/benchmark.h>

#include "bench/simulated_events.h"
#include "catalog/catalog.h"
#include "models/live_scoring.h"
#include "recommend/history_store.h"
#include "recommend/listening_feed.h"
#include "recommend/retrieval_baselines.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

using bench::Events;
using bench::Feed;

BENCHMARK(bench::BM_TrackerOnly)->Name("BM_TrackerOnly")->Unit(benchmark::kMillisecond);

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
