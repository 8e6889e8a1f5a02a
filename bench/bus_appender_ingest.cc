// bus_appender_ingest: durable ingest through the Redis Streams appender (a single redis-server with
// appendonly yes + appendfsync always, started here on loopback, 16 partitions) against the embedded
// RocksDB EventLog (sync = true, 16 partitions), both through EventAppender, interleaved in the same run:
// each round runs both, alternating which goes first, each on fresh storage. The appender alone: end to
// end through `segue serve --bus` is bench/scripts/bus_ingest.sh.
//
//   bus_appender_ingest [--rounds R=5] [--seconds S=3] [--clients C=8] [--batch B=100]
//                       [--listeners L=3000] [--writers W=4]
//
// C closed-loop client threads each append batches of B events (like `segue replay`'s HTTP batches) and
// wait for the acknowledgement before sending the next; a batch's ack latency is from AppendAsync to its
// callback. Per run it prints events/s, ack p50/p99, and the CPU seconds of this process and of
// redis-server; then the median over rounds per appender. Figures and the command: docs/benchmarks.md.
// Not a test.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "bus/redis_event_appender.h"
#include "log/event_log.h"
#include "replay/latency_percentiles.h"
#include "tests/bus/redis_servers.h"

namespace segue::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int rounds = 5;
  int seconds = 3;
  int clients = 8;
  int batch = 100;
  int listeners = 3000;
  int writers = 4;  // RedisBusOptions::writers
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (k == "--rounds") a.rounds = v;
    else if (k == "--seconds") a.seconds = v;
    else if (k == "--clients") a.clients = v;
    else if (k == "--batch") a.batch = v;
    else if (k == "--listeners") a.listeners = v;
    else if (k == "--writers") a.writers = v;
    else std::fprintf(stderr, "bus_appender_ingest: unknown flag %s (ignored)\n", k.c_str());
  }
  return a;
}

// A realistic event: a 36-character id, one of `listeners` users, a 22-character track id.
Event MakeEvent(uint64_t n, int listeners) {
  char id[40];
  std::snprintf(id, sizeof id, "%08llx-%04x-4%03x-8%03x-%012llx", static_cast<unsigned long long>(n >> 32),
                static_cast<unsigned>(n >> 16) & 0xffff, static_cast<unsigned>(n) & 0xfff,
                static_cast<unsigned>(n * 7) & 0xfff,
                static_cast<unsigned long long>(n * 2654435761ULL) & 0xffffffffffffULL);
  Event e;
  e.event_id = id;
  e.user_id = "listener-" + std::to_string(n * 40503 % static_cast<uint64_t>(listeners));
  e.type = EventType::kPlay;
  e.ts_ms = 1'764'460'800'000 + static_cast<int64_t>(n);
  e.track_id = "4uLU6hMCjMI75M1A2tKUQ" + std::to_string(n % 10);
  e.position_ms = 0;
  e.context.device = "ios";
  e.context.source = "playlist";
  return e;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// utime + stime of another process, from /proc/<pid>/stat.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

struct RunResult {
  double events_per_s = 0;
  double p50_ms = 0, p99_ms = 0;
  double bench_cpu_s = 0, redis_cpu_s = 0;
  double seconds = 0;  // wall time of the run
  uint64_t failed = 0;
};

RunResult Drive(EventAppender& target, const Args& a, uint64_t id_base, pid_t redis_pid) {
  std::atomic<uint64_t> acked{0}, failed{0};
  std::vector<std::vector<uint32_t>> latencies(a.clients);
  const double cpu0 = CpuSeconds();
  const double redis0 = redis_pid > 0 ? ProcessCpuSeconds(redis_pid) : 0;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::seconds(a.seconds);
  std::vector<std::thread> clients;
  for (int c = 0; c < a.clients; ++c) {
    clients.emplace_back([&, c] {
      uint64_t n = id_base + static_cast<uint64_t>(c) * 100'000'000ULL;
      while (Clock::now() < deadline) {
        std::vector<Event> events;
        for (int i = 0; i < a.batch; ++i) events.push_back(MakeEvent(n++, a.listeners));
        std::promise<bool> ack;
        const Clock::time_point t0 = Clock::now();
        target.AppendAsync(std::move(events), [&](Result<AppendOutcome> r) { ack.set_value(r.ok()); });
        const bool ok = ack.get_future().get();
        latencies[c].push_back(LatencyMicros(Clock::now() - t0));
        (ok ? acked : failed) += static_cast<uint64_t>(a.batch);
      }
    });
  }
  for (std::thread& t : clients) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<uint32_t> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  RunResult r;
  r.events_per_s = double(acked) / elapsed;
  r.p50_ms = PercentileMs(all, 0.50);
  r.p99_ms = PercentileMs(all, 0.99);
  r.bench_cpu_s = CpuSeconds() - cpu0;
  r.redis_cpu_s = redis_pid > 0 ? ProcessCpuSeconds(redis_pid) - redis0 : 0;
  r.failed = failed;
  r.seconds = elapsed;
  return r;
}

// A number after `field:` in redis-cli output ("used_memory:123", or a bare integer reply).
double CliNumber(const std::string& out, const std::string& field = "") {
  const size_t at = field.empty() ? 0 : out.find(field + ":");
  if (at == std::string::npos) return 0;
  return std::atof(out.c_str() + at + (field.empty() ? 0 : field.size() + 1));
}

// What the events of a run cost in Redis memory: per event overall (streams + dedup keys + offsets), per
// stream entry (MEMORY USAGE of partition 0's stream / its length) and per dedup key (one sampled key).
void PrintRedisMemory(test_support::RedisServerProcess& server, double used_before, double events) {
  const double used = CliNumber(server.Cli("info memory"), "used_memory") - used_before;
  const double stream = CliNumber(server.Cli("memory usage segue:{0}:events samples 0"));
  const double entries = CliNumber(server.Cli("xlen segue:{0}:events"));
  std::string dedup_key = server.Cli("--scan --pattern 'segue:{0}:dedup:*'");
  dedup_key = dedup_key.substr(0, dedup_key.find('\n'));
  const double dedup = CliNumber(server.Cli("memory usage '" + dedup_key + "'"));
  std::printf("  redis memory: %.0f bytes per event overall (%.0f events), %.0f per stream entry, %.0f per dedup key\n",
              events > 0 ? used / events : 0, events, entries > 0 ? stream / entries : 0, dedup);
}

RunResult RunRedis(const Args& a, uint64_t id_base) {
  test_support::RedisSingle redis;
  if (Status s = redis.Start(); !s.ok()) {
    std::fprintf(stderr, "redis-server: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  bus::RedisBusOptions options;
  options.url = redis.url();
  options.partitions = 16;
  options.writers = static_cast<size_t>(a.writers);
  Result<std::unique_ptr<bus::RedisEventAppender>> appender = bus::RedisEventAppender::Open(options);
  if (!appender.ok()) {
    std::fprintf(stderr, "RedisEventAppender: %s\n", appender.status().ToString().c_str());
    std::exit(1);
  }
  const double used_before = CliNumber(redis.server().Cli("info memory"), "used_memory");
  RunResult r = Drive(**appender, a, id_base, redis.server().pid());
  PrintRedisMemory(redis.server(), used_before, r.events_per_s * r.seconds);
  return r;
}

RunResult RunEmbedded(const Args& a, uint64_t id_base) {
  test_support::RedisTempDir dir;  // any self-removing temporary directory
  EventLogOptions options;
  options.dir = dir.path() + "/log";
  options.partitions = 16;
  options.sync = true;
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(options);
  if (!log.ok()) {
    std::fprintf(stderr, "EventLog::Open: %s\n", log.status().ToString().c_str());
    std::exit(1);
  }
  return Drive(**log, a, id_base, 0);
}

void Print(const char* name, int round, const RunResult& r) {
  std::printf("round %d %-8s %9.0f events/s  ack p50 %6.2f ms  p99 %6.2f ms  "
              "cpu: bench %5.2f s, redis-server %5.2f s%s\n",
              round, name, r.events_per_s, r.p50_ms, r.p99_ms, r.bench_cpu_s, r.redis_cpu_s,
              r.failed ? "  FAILED APPENDS" : "");
  std::fflush(stdout);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void Summary(const char* name, const std::vector<RunResult>& runs) {
  std::vector<double> eps, p50, p99, bench_us, redis_us;
  for (const RunResult& r : runs) {
    eps.push_back(r.events_per_s);
    p50.push_back(r.p50_ms);
    p99.push_back(r.p99_ms);
    const double events = r.events_per_s * r.seconds;
    bench_us.push_back(events > 0 ? r.bench_cpu_s / events * 1e6 : 0);
    redis_us.push_back(events > 0 ? r.redis_cpu_s / events * 1e6 : 0);
  }
  std::printf("median %-8s %9.0f events/s  ack p50 %6.2f ms  p99 %6.2f ms  "
              "CPU per event: bench %.2f us, redis-server %.2f us\n",
              name, Median(eps), Median(p50), Median(p99), Median(bench_us), Median(redis_us));
}

}  // namespace
}  // namespace segue::bench

int main(int argc, char** argv) {
  using namespace segue::bench;
  const Args a = Parse(argc, argv);
  std::printf("bus_appender_ingest: %d rounds x %d s, %d clients, batches of %d events, %d listeners, "
              "%d Redis writers\n",
              a.rounds, a.seconds, a.clients, a.batch, a.listeners, a.writers);
  std::vector<RunResult> redis, embedded;
  for (int round = 0; round < a.rounds; ++round) {
    const uint64_t base = static_cast<uint64_t>(round) * 10'000'000'000ULL;
    if (round % 2 == 0) {
      redis.push_back(RunRedis(a, base));
      Print("redis", round, redis.back());
      embedded.push_back(RunEmbedded(a, base));
      Print("embedded", round, embedded.back());
    } else {
      embedded.push_back(RunEmbedded(a, base));
      Print("embedded", round, embedded.back());
      redis.push_back(RunRedis(a, base));
      Print("redis", round, redis.back());
    }
  }
  Summary("redis", redis);
  Summary("embedded", embedded);
  return 0;
}
