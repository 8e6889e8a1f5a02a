// Session tracker benchmarks (figures and commands in docs/benchmarks.md, "Session tracker"):
//  - BM_ApplyEvent: cost of SessionTracker::Apply per event on a realistic stream (play, pause/resume,
//    seek, skip/complete, search, like, exit; 10,000 listeners interleaved; catalog of 50,000 tracks).
//  - BM_BytesPerSession: heap bytes per in-memory session (mallinfo2 delta), for typical sessions
//    (~20 plays) and for sessions whose ring of the last 64 plays is full, and per parked profile.
//  - BM_SnapshotEncode: snapshot encoding cost and size per session.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <random>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "session/session_codec.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

constexpr int kTracks = 50'000;
constexpr int64_t kT0 = 1'700'000'000'000;

// prefix + number, built with append (GCC 12 reports a false -Wrestrict on "literal" + std::string).
std::string Name(std::string_view prefix, int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}
std::string TrackName(uint32_t i) { return Name("spotify:track:", i); }

Catalog& BenchCatalog() {
  static Catalog* catalog = [] {
    auto* c = new Catalog();
    for (int i = 0; i < kTracks; ++i) {
      Track t;
      t.track_id = TrackName(static_cast<uint32_t>(i));
      t.artist = Name("artist", i % 5000);
      t.genres = {i % 3 == 0 ? "rock" : "pop"};
      t.duration_ms = 150'000 + static_cast<uint32_t>(i % 120) * 1000;
      c->Upsert(t);
      c->InternTrack(t.track_id);
    }
    return c;
  }();
  return *catalog;
}

// Listeners take turns; each plays tracks and ends them with a skip (40%) or a complete, sometimes
// pausing, seeking, searching or liking, and leaves after ~20 plays.
class StreamGen {
 public:
  StreamGen(int users, uint32_t seed) : rng_(seed), clock_(users, kT0), plays_(users, 0) {}

  std::vector<Event> Make(size_t n) {
    std::vector<Event> out;
    out.reserve(n);
    std::uniform_int_distribution<int> user_dist(0, static_cast<int>(clock_.size()) - 1);
    while (out.size() < n) {
      const int u = user_dist(rng_);
      const std::string user = Name("user-", u);
      const std::string track = TrackName(static_cast<uint32_t>(rng_() % kTracks));
      int64_t& t = clock_[u];
      auto add = [&](EventType type, int64_t advance, const std::string& tr) {
        t += advance;
        Event e;
        e.user_id = user;
        e.type = type;
        e.ts_ms = t;
        e.track_id = tr;
        e.position_ms = static_cast<int64_t>(rng_() % 180'000);
        out.push_back(std::move(e));
      };
      if (rng_() % 10 == 0) add(EventType::kSearch, 5'000, "");
      add(EventType::kPlay, 1'000, track);
      if (rng_() % 8 == 0) {
        add(EventType::kPause, 20'000, "");
        add(EventType::kResume, 30'000, "");
      }
      if (rng_() % 10 == 0) add(EventType::kSeek, 10'000, track);
      if (rng_() % 20 == 0) add(EventType::kLike, 5'000, track);
      if (rng_() % 5 < 2) {
        add(EventType::kSkip, 15'000, track);
      } else {
        add(EventType::kComplete, 180'000, track);
      }
      if (++plays_[u] % 20 == 0) add(EventType::kExit, 1'000, "");
    }
    return out;
  }

 private:
  std::mt19937 rng_;
  std::vector<int64_t> clock_;
  std::vector<int> plays_;
};

void BM_ApplyEvent(benchmark::State& state) {
  Catalog& catalog = BenchCatalog();
  SessionTracker tracker(&catalog);
  std::vector<Event> events = StreamGen(10'000, 1).Make(1'000'000);
  const int64_t span = events.back().ts_ms - kT0 + 3'600'000;
  size_t i = 0;
  for (auto _ : state) {
    if (i == events.size()) {
      // Next lap: the same stream later in time (still in order per listener).
      state.PauseTiming();
      for (Event& e : events) e.ts_ms += span;
      i = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(tracker.Apply(events[i++]));
  }
  state.counters["active_sessions"] = static_cast<double>(tracker.active_sessions());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyEvent);

size_t HeapInUse() { return mallinfo2().uordblks; }

// Fills `sessions` listeners, each with `plays` played-and-ended tracks, and reports heap bytes per
// session: the tracker's own memory (hash nodes, states, play rings, user ids), not the catalog's.
void BM_BytesPerSession(benchmark::State& state) {
  const int sessions = static_cast<int>(state.range(0));
  const int plays = static_cast<int>(state.range(1));
  Catalog& catalog = BenchCatalog();
  std::mt19937 rng(7);
  double per_session = 0;
  double per_profile = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto tracker = std::make_unique<SessionTracker>(&catalog);
    Event e;
    for (int u = 0; u < sessions; ++u) {
      e.user_id = Name("user-", u);
      int64_t t = kT0;
      for (int p = 0; p < plays; ++p) {
        e.track_id = TrackName(static_cast<uint32_t>(rng() % kTracks));
        e.type = EventType::kPlay;
        e.ts_ms = t += 1000;
        tracker->Apply(e);
        e.type = rng() % 2 ? EventType::kSkip : EventType::kComplete;
        e.ts_ms = t += 60'000;
        tracker->Apply(e);
      }
    }
    per_session = static_cast<double>(HeapInUse() - before) / sessions;
    // Evict them all: what remains is the profile table.
    tracker->EvictIdle(kT0 + 1'000'000'000);
    per_profile = static_cast<double>(HeapInUse() - before) / sessions;
    benchmark::DoNotOptimize(tracker->profiles());
  }
  state.counters["bytes_per_session"] = per_session;
  state.counters["bytes_per_parked_profile"] = per_profile;
}
BENCHMARK(BM_BytesPerSession)->Args({100'000, 20})->Args({100'000, 64})->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_SnapshotEncode(benchmark::State& state) {
  Catalog& catalog = BenchCatalog();
  SessionTracker tracker(&catalog);
  for (const Event& e : StreamGen(20'000, 3).Make(600'000)) tracker.Apply(e);
  std::string chunk;
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (uint32_t s = 0; s < tracker.shard_count(); ++s) {
      EncodeSessionShard(tracker, s, &chunk);
      bytes += chunk.size();
    }
  }
  const double n = static_cast<double>(tracker.active_sessions() + tracker.profiles());
  state.counters["bytes_per_session"] = static_cast<double>(bytes) / n;
  state.counters["sessions"] = n;
  state.counters["ns_per_session"] =
      benchmark::Counter(n * static_cast<double>(state.iterations()) * 1e-9, benchmark::Counter::kIsRate |
                                                                               benchmark::Counter::kInvert);
}
BENCHMARK(BM_SnapshotEncode)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace segue

BENCHMARK_MAIN();
