#include "session/session_snapshot.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "log/event_log.h"
#include "session/event_observer.h"
#include "session/session_codec.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

constexpr std::string_view kPrefix = "session/snapshot/";
constexpr std::string_view kMetaKey = "session/snapshot/meta";
constexpr std::string_view kMetaMagic = "SGSM";
constexpr uint32_t kMetaVersion = 1;

struct Meta {
  uint64_t generation = 0;
  uint64_t seq = 0;
  uint32_t chunks = 0;
};

template <typename T>
void Append(std::string* out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}

std::string EncodeMeta(const Meta& m) {
  std::string out(kMetaMagic);
  Append(&out, kMetaVersion);
  Append(&out, m.generation);
  Append(&out, m.seq);
  Append(&out, m.chunks);
  return out;
}

Result<Meta> DecodeMeta(std::string_view v) {
  constexpr size_t kSize = 4 + 4 + 8 + 8 + 4;
  if (v.size() != kSize || v.substr(0, 4) != kMetaMagic) {
    return Status::Corruption("session snapshot meta: bad magic or size " + std::to_string(v.size()));
  }
  uint32_t version = 0;
  Meta m;
  std::memcpy(&version, v.data() + 4, 4);
  std::memcpy(&m.generation, v.data() + 8, 8);
  std::memcpy(&m.seq, v.data() + 16, 8);
  std::memcpy(&m.chunks, v.data() + 24, 4);
  if (version != kMetaVersion) {
    return Status::Corruption("session snapshot meta: unsupported version " + std::to_string(version));
  }
  return m;
}

std::string GenerationPrefix(uint64_t generation) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx/", static_cast<unsigned long long>(generation));
  return std::string(kPrefix) + buf;
}

std::string ChunkKey(uint64_t generation, uint32_t shard) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%05u", shard);
  return GenerationPrefix(generation) + buf;
}

Result<std::optional<Meta>> LoadMeta(const EventLog& log) {
  auto raw = log.GetState(kMetaKey);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<Meta>();
  auto meta = DecodeMeta(**raw);
  if (!meta.ok()) return meta.status();
  return std::optional<Meta>(*meta);
}

}  // namespace

Result<SnapshotInfo> SaveSnapshot(const SessionTracker& tracker, EventLog& log, std::optional<uint64_t> covered_seq) {
  auto previous = LoadMeta(log);
  if (!previous.ok()) return previous.status();
  Meta meta;
  meta.generation = previous->has_value() ? (*previous)->generation + 1 : 1;
  meta.seq = covered_seq.value_or(tracker.last_applied_seq());
  meta.chunks = tracker.shard_count();
  SnapshotInfo info{meta.seq, meta.generation, 0, 0};
  std::string chunk;
  for (uint32_t shard = 0; shard < meta.chunks; ++shard) {
    info.records += EncodeSessionShard(tracker, shard, &chunk);
    info.bytes += chunk.size();
    if (Status st = log.PutState(ChunkKey(meta.generation, shard), chunk); !st.ok()) return st;
  }
  // Switch atomically, dropping every other generation (the previous one and orphans of crashed saves).
  std::vector<std::pair<std::string, std::optional<std::string>>> ops;
  const std::string keep = GenerationPrefix(meta.generation);
  Status scan = log.ScanState(kPrefix, [&](std::string_view key, std::string_view) {
    if (key != kMetaKey && key.substr(0, keep.size()) != keep) ops.emplace_back(std::string(key), std::nullopt);
    return true;
  });
  if (!scan.ok()) return scan;
  ops.emplace_back(std::string(kMetaKey), EncodeMeta(meta));
  if (Status st = log.WriteStateBatch(ops); !st.ok()) return st;
  return info;
}

Result<RestoreReport> RestoreSessions(SessionTracker& tracker, const EventLog& log,
                                      const std::vector<EventObserver*>& observers) {
  RestoreReport report;
  auto meta = LoadMeta(log);
  if (!meta.ok()) return meta.status();
  if (meta->has_value()) {
    const Meta& m = **meta;
    report.snapshot_found = true;
    report.snapshot_seq = m.seq;
    uint32_t chunks = 0;
    Status decode = Status::Ok();
    Status scan = log.ScanState(GenerationPrefix(m.generation), [&](std::string_view key, std::string_view value) {
      decode = DecodeSessionChunk(value, &tracker);
      if (!decode.ok()) decode = Status::Corruption(decode.message() + " (key " + std::string(key) + ")");
      ++chunks;
      return decode.ok();
    });
    if (!scan.ok()) return scan;
    if (!decode.ok()) return decode;
    if (chunks != m.chunks) {
      return Status::Corruption("session snapshot generation " + std::to_string(m.generation) + ": " +
                                std::to_string(chunks) + " chunks found, meta says " + std::to_string(m.chunks));
    }
    tracker.RestoreLastAppliedSeq(m.seq);
  }
  EventLog::ScanOptions options;
  options.from_seq = report.snapshot_seq + 1;
  uint64_t expected = options.from_seq;
  Status scan = log.Scan(options, [&](const LoggedEvent& e) {
    if (e.seq > expected && report.missing_from == 0) {
      report.missing_from = expected;
      report.missing_to = e.seq - 1;
    }
    expected = e.seq + 1;
    const ApplyOutcome outcome = tracker.Apply(e);
    if (outcome.applied) {
      for (EventObserver* o : observers) o->OnEventApplied(e, outcome);
    }
    ++report.replayed;
    return true;
  });
  if (!scan.ok()) return scan;
  report.last_seq = tracker.last_applied_seq();
  return report;
}

}  // namespace segue
