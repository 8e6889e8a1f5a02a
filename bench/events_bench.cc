// Event parsing and serialisation throughput. Figures and commands: docs/benchmarks.md ("## Events").
#include <benchmark/benchmark.h>

#include <string>

#include "events/event_json.h"
#include "events/event_parser.h"

namespace segue {
namespace {

constexpr int64_t kNow = 1700000000000;

// A realistic ~200-byte play event; ids vary so the parser does not see identical bytes.
Event SampleEvent(int i) {
  Event e;
  e.event_id = "01HF3Z8K5V" + std::to_string(1000000 + i);
  e.user_id = "user-" + std::to_string(i % 5000);
  e.type = i % 3 == 0 ? EventType::kSkip : EventType::kPlay;
  e.ts_ms = kNow - 60000 + i;
  e.track_id = "spotify:track:" + std::to_string(4000000 + i % 30000);
  e.position_ms = (i * 7919) % 240000;
  e.context.device = "android";
  e.context.source = "playlist";
  e.context.shuffle = i % 2 == 0;
  return e;
}

std::string Body(int events, BodyFormat format) {
  std::string body = format == BodyFormat::kJsonArray ? "[" : "";
  for (int i = 0; i < events; ++i) {
    if (format == BodyFormat::kJsonArray && i > 0) body += ',';
    AppendEventJson(SampleEvent(i), &body);
    if (format == BodyFormat::kNdjson) body += '\n';
  }
  if (format == BodyFormat::kJsonArray) body += ']';
  return body;
}

void BM_ParseEventBatch(benchmark::State& state) {
  const auto format = static_cast<BodyFormat>(state.range(0));
  const int events = static_cast<int>(state.range(1));
  const std::string body = Body(events, format);
  const ParseLimits limits;
  for (auto _ : state) {
    Result<ParsedBatch> batch = ParseEventBatch(body, format, limits, kNow);
    if (!batch.ok() || batch->events.size() != static_cast<size_t>(events)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * events);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
  state.counters["bytes_per_event"] = static_cast<double>(body.size()) / events;
}
BENCHMARK(BM_ParseEventBatch)
    ->ArgNames({"ndjson", "events"})
    ->Args({static_cast<int>(BodyFormat::kJsonArray), 100})
    ->Args({static_cast<int>(BodyFormat::kNdjson), 100})
    ->Args({static_cast<int>(BodyFormat::kJsonArray), 10000});

void BM_AppendEventJson(benchmark::State& state) {
  std::vector<Event> events;
  for (int i = 0; i < 1000; ++i) events.push_back(SampleEvent(i));
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (const Event& e : events) {
      AppendEventJson(e, &out);
      out += '\n';
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_AppendEventJson);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
