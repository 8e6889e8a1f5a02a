// Experiments on the pipeline's path and the maintenance thread: what ExperimentSet::OnEventApplied
// adds per applied event (0 experiments = the baseline, the observer with nothing running), what a
// report and a statistics save cost at a listener count, and how long a save holds the lock. Results: docs/benchmarks.md, "Experiments".
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/experiment_set.h"

namespace segue::experiments {
namespace {

ExperimentSpec Spec(int i) {
  ExperimentSpec spec;
  spec.id = "exp" + std::to_string(i);
  spec.arms = {{"control", ArmKind::kShadow, 1, 0, ""}, {"push", ArmKind::kTreatment, 1, 0, ""}};
  return spec;
}

std::vector<LoggedEvent> Events(int listeners, int per_listener) {
  std::vector<LoggedEvent> events;
  uint64_t seq = 0;
  for (int round = 0; round < per_listener; ++round) {
    for (int l = 0; l < listeners; ++l) {
      LoggedEvent e;
      e.seq = ++seq;
      e.event.user_id = "listener-" + std::to_string(l);
      e.event.type = round % 2 ? EventType::kSkip : EventType::kPlay;
      e.event.ts_ms = 1'000'000 + round * 30'000;
      events.push_back(std::move(e));
    }
  }
  return events;
}

// Per applied event, 10k listeners, with state.range(0) experiments running.
void BM_OnEventApplied(benchmark::State& state) {
  metrics::Registry registry;
  ExperimentSet set(kDefaultMaxListeners, registry);
  std::vector<ExperimentSpec> specs;
  for (int i = 0; i < state.range(0); ++i) specs.push_back(Spec(i));
  set.SetExperiments(specs);
  const std::vector<LoggedEvent> events = Events(10'000, 20);
  ApplyOutcome outcome;
  outcome.applied = true;
  size_t i = 0;
  for (auto _ : state) {
    const LoggedEvent& e = events[i];
    outcome.new_session = e.seq <= 10'000;
    outcome.play_ended = e.event.type == EventType::kSkip;
    outcome.how = PlayEnd::kSkipped;
    set.OnEventApplied(e, outcome);
    if (++i == events.size()) {
      i = 0;
      state.PauseTiming();
      set.SetExperiments({});  // a fresh start, so every pass counts its events
      set.SetExperiments(specs);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OnEventApplied)->Arg(0)->Arg(1)->Arg(3);

// A set holding state.range(0) listeners in one experiment, each with a session and plays.
void Fill(ExperimentSet& set, int listeners) {
  set.SetExperiments({Spec(0)});
  ApplyOutcome outcome;
  outcome.applied = true;
  for (const LoggedEvent& e : Events(listeners, 2)) {
    outcome.new_session = e.event.type == EventType::kPlay;
    set.OnEventApplied(e, outcome);
  }
}

void BM_Report(benchmark::State& state) {
  metrics::Registry registry;
  ExperimentSet set(kDefaultMaxListeners, registry);
  Fill(set, static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(set.Report("exp0"));
}
BENCHMARK(BM_Report)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// Includes the fsyncs of the file and its folder.
void BM_Save(benchmark::State& state) {
  metrics::Registry registry;
  ExperimentSet set(kDefaultMaxListeners, registry);
  Fill(set, static_cast<int>(state.range(0)));
  const std::string path = (std::filesystem::temp_directory_path() / "segue_experiments_bench_stats.json").string();
  for (auto _ : state) {
    if (!set.Save(path).ok()) state.SkipWithError("save failed");
  }
  state.counters["bytes"] = static_cast<double>(std::filesystem::file_size(path));
  std::filesystem::remove(path);
}
BENCHMARK(BM_Save)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// What a save holds the experiment's lock for: copying its listeners' statistics.
void BM_SaveLockHeld(benchmark::State& state) {
  ListenerStatsMap listeners;
  for (int i = 0; i < state.range(0); ++i) listeners["listener-" + std::to_string(i)].sessions = 1;
  for (auto _ : state) {
    ListenerStatsMap copy = listeners;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_SaveLockHeld)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace segue::experiments

BENCHMARK_MAIN();
