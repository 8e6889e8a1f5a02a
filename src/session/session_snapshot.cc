#include "session/session_snapshot.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "session/event_observer.h"
#include "session/session_codec.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

constexpr std::string_view kPrefix = "session/snapshot/";
constexpr std::string_view kMetaKey = "session/snapshot/meta";
constexpr std::string_view kMetaMagic = "SGSM";
constexpr uint32_t kMetaV1 = 1;  // one global seq (before issue #12)
constexpr uint32_t kMetaVersion = 2;
constexpr size_t kMetaV1Size = 4 + 4 + 8 + 8 + 4;
constexpr size_t kMetaHeaderSize = 4 + 4 + 8 + 4 + 4;

struct Meta {
  uint32_t version = kMetaVersion;
  uint64_t generation = 0;
  uint32_t chunks = 0;
  PartitionOffsets offsets;
};

template <typename T>
void Append(std::string* out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}

template <typename T>
T Read(std::string_view v, size_t pos) {
  T out;
  std::memcpy(&out, v.data() + pos, sizeof(T));
  return out;
}

std::string EncodeMeta(const Meta& m) {
  std::string out(kMetaMagic);
  Append(&out, kMetaVersion);
  Append(&out, m.generation);
  Append(&out, m.chunks);
  Append(&out, static_cast<uint32_t>(m.offsets.size()));
  for (uint64_t o : m.offsets) Append(&out, o);
  return out;
}

// `partitions`: the source's; a version-1 meta's one seq becomes that many offsets.
Result<Meta> DecodeMeta(std::string_view v, uint32_t partitions) {
  if (v.size() < 8 || v.substr(0, 4) != kMetaMagic) {
    return Status::Corruption("session snapshot meta: bad magic or size " + std::to_string(v.size()));
  }
  Meta m;
  m.version = Read<uint32_t>(v, 4);
  if (m.version == kMetaV1 && v.size() == kMetaV1Size) {
    m.generation = Read<uint64_t>(v, 8);
    m.offsets.assign(partitions, Read<uint64_t>(v, 16));
    m.chunks = Read<uint32_t>(v, 24);
    return m;
  }
  if (m.version != kMetaVersion || v.size() < kMetaHeaderSize) {
    return Status::Corruption("session snapshot meta: unsupported version " + std::to_string(m.version) +
                              " or size " + std::to_string(v.size()));
  }
  m.generation = Read<uint64_t>(v, 8);
  m.chunks = Read<uint32_t>(v, 16);
  const uint32_t stored = Read<uint32_t>(v, 20);
  if (v.size() != kMetaHeaderSize + 8 * size_t{stored}) {
    return Status::Corruption("session snapshot meta: size " + std::to_string(v.size()) + " for " +
                              std::to_string(stored) + " partitions");
  }
  if (stored != partitions) {
    return Status::InvalidArgument("session snapshot has " + std::to_string(stored) + " partitions; the log has " +
                                   std::to_string(partitions));
  }
  m.offsets.resize(stored);
  for (uint32_t p = 0; p < stored; ++p) m.offsets[p] = Read<uint64_t>(v, kMetaHeaderSize + 8 * size_t{p});
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

Result<std::optional<Meta>> LoadMeta(const StateStore& store, uint32_t partitions) {
  auto raw = store.GetState(kMetaKey);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<Meta>();
  auto meta = DecodeMeta(**raw, partitions);
  if (!meta.ok()) return meta.status();
  return std::optional<Meta>(*meta);
}

Status LoadChunks(const StateStore& store, const Meta& m, SessionTracker& tracker) {
  uint32_t chunks = 0;
  Status decode = Status::Ok();
  Status scan = store.ScanState(GenerationPrefix(m.generation), [&](std::string_view key, std::string_view value) {
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
  return Status::Ok();
}

// Replays partition p after report->offsets[p], advancing it.
Status ReplayPartition(SessionTracker& tracker, const PartitionSource& source, uint32_t p,
                       const std::vector<EventObserver*>& observers, RestoreReport* report) {
  Result<uint64_t> trimmed = source.TrimmedOffset(p);
  if (!trimmed.ok()) return trimmed.status();
  if (*trimmed > report->offsets[p]) report->trimmed.push_back({p, report->offsets[p], *trimmed});
  return source.ReadPartition(p, report->offsets[p], [&](const LoggedEvent& e) {
    const ApplyOutcome outcome = tracker.Apply(e);
    if (outcome.applied) {
      for (EventObserver* o : observers) o->OnEventApplied(e, outcome);
    }
    report->offsets[p] = e.seq;
    ++report->replayed;
    return true;
  });
}

}  // namespace

Result<SnapshotInfo> SaveSnapshot(const SessionTracker& tracker, StateStore& store, const PartitionOffsets& covered) {
  const auto partitions = static_cast<uint32_t>(covered.size());
  auto previous = LoadMeta(store, partitions);
  if (!previous.ok()) return previous.status();
  Meta meta;
  meta.generation = previous->has_value() ? (*previous)->generation + 1 : 1;
  meta.offsets = covered;
  meta.chunks = tracker.shard_count();
  SnapshotInfo info{meta.offsets, meta.generation, 0, 0};
  std::string chunk;
  for (uint32_t shard = 0; shard < meta.chunks; ++shard) {
    info.records += EncodeSessionShard(tracker, shard, &chunk);
    info.bytes += chunk.size();
    if (Status st = store.PutState(ChunkKey(meta.generation, shard), chunk); !st.ok()) return st;
  }
  // Switch atomically, dropping every other generation (the previous one and orphans of crashed saves).
  StateStore::Ops ops;
  const std::string keep = GenerationPrefix(meta.generation);
  Status scan = store.ScanState(kPrefix, [&](std::string_view key, std::string_view) {
    if (key != kMetaKey && key.substr(0, keep.size()) != keep) ops.emplace_back(std::string(key), std::nullopt);
    return true;
  });
  if (!scan.ok()) return scan;
  ops.emplace_back(std::string(kMetaKey), EncodeMeta(meta));
  if (Status st = store.WriteStateBatch(ops); !st.ok()) return st;
  return info;
}

Result<RestoreReport> RestoreSessions(SessionTracker& tracker, const StateStore& store, const PartitionSource& source,
                                      const std::vector<EventObserver*>& observers) {
  const uint32_t partitions = source.partitions();
  RestoreReport report;
  report.snapshot_offsets.assign(partitions, 0);
  auto meta = LoadMeta(store, partitions);
  if (!meta.ok()) return meta.status();
  if (meta->has_value()) {
    const Meta& m = **meta;
    if (Status s = LoadChunks(store, m, tracker); !s.ok()) return s;
    report.snapshot_found = true;
    report.snapshot_version = m.version;
    report.snapshot_offsets = m.offsets;
  }
  report.offsets = report.snapshot_offsets;
  for (uint32_t p = 0; p < partitions; ++p) {
    if (Status s = ReplayPartition(tracker, source, p, observers, &report); !s.ok()) return s;
  }
  return report;
}

}  // namespace segue
