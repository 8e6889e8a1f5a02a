// Event log benchmarks: durable (sync = true) append throughput under group commit, and scan speed.
// Results and the command that reproduces them: docs/benchmarks.md, section "Event log".
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "log/event_log.h"

namespace segue {
namespace {

std::string ScratchDir(const char* name) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (std::string(name) + "-XXXXXX")).string();
  return mkdtemp(tmpl.data());
}

Event BenchEvent(uint64_t n, int producer) {
  Event e;
  e.event_id = "bench-";
  e.event_id += std::to_string(producer);
  e.event_id += '-';
  e.event_id += std::to_string(n);
  e.user_id = "user-";
  e.user_id += std::to_string(n % 5000);
  e.type = EventType::kPlay;
  e.ts_ms = 1700000000000 + static_cast<int64_t>(n);
  e.track_id = "spotify:track:4uLU6hMCjMI75M1A2tKUQC";
  e.position_ms = 0;
  e.context.device = "phone";
  e.context.source = "playlist";
  return e;
}

// Shared by the producer threads of one benchmark run; thread 0 opens and closes it outside the timed loop
// (Google Benchmark puts a barrier around the loop).
std::unique_ptr<EventLog> g_log;
std::string g_dir;

// Args: events per Append call. Threads: concurrent producers, each waiting for its own acknowledgement.
void BM_AppendSynced(benchmark::State& state) {
  const auto batch_size = static_cast<size_t>(state.range(0));
  if (state.thread_index() == 0) {
    g_dir = ScratchDir("segue-log-bench");
    EventLogOptions o;
    o.dir = g_dir;
    o.sync = true;
    g_log = std::move(EventLog::Open(o)).value();
  }
  uint64_t n = 0;
  for (auto _ : state) {
    std::vector<Event> batch;
    batch.reserve(batch_size);
    for (size_t i = 0; i < batch_size; ++i) batch.push_back(BenchEvent(n++, state.thread_index()));
    auto r = g_log->Append(std::move(batch));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch_size));
  if (state.thread_index() == 0) {
    const LogStats st = g_log->stats();
    state.counters["mean_group"] = st.mean_group_size();
    state.counters["bytes_per_event"] = st.events ? double(st.logical_bytes) / double(st.events) : 0;
    g_log.reset();
    std::filesystem::remove_all(g_dir);
  }
}
BENCHMARK(BM_AppendSynced)
    ->ArgName("batch")
    ->Arg(1)
    ->Arg(10)
    ->Arg(100)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime()
    ->MinTime(1.0);

// Full seq-order scan (k-way merge over 16 partitions + decode) of a 200,000-event log.
void BM_ScanSeqOrder(benchmark::State& state) {
  const std::string dir = ScratchDir("segue-log-bench-scan");
  EventLogOptions o;
  o.dir = dir;
  o.sync = false;
  auto log = std::move(EventLog::Open(o)).value();
  const int total = 200000;
  for (int b = 0; b < total / 1000; ++b) {
    std::vector<Event> batch;
    for (int i = 0; i < 1000; ++i) batch.push_back(BenchEvent(uint64_t(b) * 1000 + i, 0));
    if (!log->Append(std::move(batch)).ok()) state.SkipWithError("fill failed");
  }
  for (auto _ : state) {
    uint64_t seen = 0;
    Status s = log->Scan({}, [&](const LoggedEvent& e) {
      seen += e.seq;
      return true;
    });
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    benchmark::DoNotOptimize(seen);
  }
  state.SetItemsProcessed(state.iterations() * total);
  log.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ScanSeqOrder)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
