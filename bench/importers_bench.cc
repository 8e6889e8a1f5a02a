// Importer throughput, in process (the `segue` binary's start-up, which loads LibTorch, is excluded):
// source records per second from the real samples to serialised NDJSON in memory (no disk writes).
// Inputs come from $SEGUE_SHARED_DATA (default ../shared/data, relative to the working directory).
#include <cstdlib>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>

#include "catalog/track_json.h"
#include "events/event_json.h"
#include "importers/catalog_csv.h"
#include "importers/mssd.h"
#include "importers/spotify_history.h"

namespace segue {
namespace {

std::string Data(const std::string& rel) {
  const char* root = std::getenv("SEGUE_SHARED_DATA");
  return std::string(root != nullptr ? root : "../shared/data") + "/" + rel;
}

// Serialises every event as the CLI does, reusing one buffer.
struct NdjsonBuffer {
  std::string out;
  EventSink Sink() {
    return [this](const Event& e) {
      if (out.size() > (1 << 20)) out.clear();
      AppendEventJson(e, &out);
      out.push_back('\n');
      return Status::Ok();
    };
  }
};

template <typename ImportFn>
void RunImport(benchmark::State& state, const std::string& path, ImportFn import) {
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("missing " + path + " (set SEGUE_SHARED_DATA)").c_str());
    return;
  }
  uint64_t records = 0;
  for (auto _ : state) {
    ImportSummary summary;
    Status st = import(&summary);
    if (!st.ok()) {
      state.SkipWithError(st.message().c_str());
      return;
    }
    records += summary.records_read;
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
}

void BM_ImportSpotifyExtended(benchmark::State& state) {
  const std::string path = Data("spotify-history/extended");
  NdjsonBuffer buf;
  RunImport(state, path, [&](ImportSummary* s) { return ImportSpotifyHistory({path}, {}, buf.Sink(), s); });
}
BENCHMARK(BM_ImportSpotifyExtended)->Unit(benchmark::kMillisecond);

void BM_ImportSpotifyBasic(benchmark::State& state) {
  const std::string path = Data("spotify-history/basic");
  NdjsonBuffer buf;
  RunImport(state, path, [&](ImportSummary* s) { return ImportSpotifyHistory({path}, {}, buf.Sink(), s); });
}
BENCHMARK(BM_ImportSpotifyBasic)->Unit(benchmark::kMillisecond);

void BM_ImportMssd(benchmark::State& state) {
  const std::string path = Data("mssd/log_sample_reformatted.csv");
  NdjsonBuffer buf;
  RunImport(state, path, [&](ImportSummary* s) { return ImportMssd({path}, {}, buf.Sink(), s); });
}
BENCHMARK(BM_ImportMssd)->Unit(benchmark::kMicrosecond);

void BM_ImportCatalog(benchmark::State& state) {
  const std::string path = Data("catalog/spotify_songs.csv");
  std::string out;
  RunImport(state, path, [&](ImportSummary* s) {
    return ImportCatalogCsv(path, {}, [&](const Track& t) {
      if (out.size() > (1 << 20)) out.clear();
      AppendTrackJson(t, &out);
      out.push_back('\n');
      return Status::Ok();
    }, s);
  });
}
BENCHMARK(BM_ImportCatalog)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
