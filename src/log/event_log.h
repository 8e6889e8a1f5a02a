// EventLog: Segue's durable, partitioned, append-only event log and small state store, on one RocksDB
// database in `<dir>` (docs/log.md has the on-disk layout). It is the embedded implementation of the three
// interfaces the server names (EventAppender, PartitionSource, StateStore; their headers are the general
// contract); what follows is what this implementation adds.
//
// Contract:
// - Appends. Every event that is not a duplicate gets a sequence number from one global, strictly
//   increasing, dense counter (1, 2, 3, ...; gapped within a partition) and is stored under partition
//   PartitionOf(user_id, partitions). A single committer thread is the only writer of events: it drains
//   everything queued by all callers into ONE RocksDB WriteBatch (group commit), written with
//   WriteOptions::sync = options.sync. Seqs follow queue order: events of one AppendAsync call are
//   contiguous among the accepted ones and in input order; calls are ordered as they entered the queue.
//   A seq is the event's offset in its partition (PartitionSource): strictly increasing there, gapped.
// - Durability. `done` is called with success only after the group's write returned; with sync = true
//   the WAL was fsynced, so the events survive kill -9 and power loss. With sync = false they survive a
//   process crash (kill -9) but not an OS crash.
// - Order of callbacks. For each group, on the committer thread: first options.on_committed(events of the
//   group, in seq order), then each caller's `done` in queue order. So whoever observes `done` knows the
//   events were already handed to on_committed. Callbacks must not block for long (they stall every
//   appender) and must not call Close().
// - Immediate failures run `done` inline on the calling thread, before AppendAsync returns:
//   ResourceExhausted when max_pending_events would be exceeded (back-pressure; retry later),
//   Unavailable after Close() or on a read-only log, and health() (below) while the log is not writable.
// - Health and full disks. A group whose write fails leaves nothing behind: no seq is consumed, the
//   de-dup window forgets its ids (a retry is accepted, not reported as a duplicate) and every caller of
//   the group gets the error. The log then refuses appends (health() says why) and tries to recover by
//   itself, from the committer thread, about once a second: once free space is back above
//   min_free_bytes (plus the size of the largest write the reserve refused, so the log does not flip
//   straight back) it calls RocksDB's DB::Resume() if RocksDB had stopped, which flushes the memtables
//   to new files and switches to a new WAL; then appends are accepted again, without a reopen. Disk full is
//   NoSpace, both when RocksDB hit ENOSPC and when min_free_bytes refused a group before RocksDB could
//   (then RocksDB never saw an error). Other write failures are IoError and recover the same way if
//   RocksDB's Resume() succeeds. A group that failed inside RocksDB was not acknowledged, but if the
//   process dies before the recovery completes, RocksDB may replay it from the WAL on the next open
//   (the record can have reached the file before the error); a client's retry of it is then reported as
//   a duplicate. So an acknowledged event is never lost or stored twice; an unacknowledged one is stored
//   at most once.
// - De-duplication. An event whose event_id is in the DedupWindow (dedup_window.h) is not written; it
//   is reported with seq 0. Duplicates inside one call or one group are caught too. The window is
//   rebuilt on Open from the log tail, so it survives restarts.
// - Partition reads. ReadPartition is a Scan of one partition from after_offset + 1. EndOffset is the
//   partition's last assigned seq, kept in meta/counters with the events (a log written before that
//   record existed is migrated on open: see docs/log.md, "Migration"). TrimmedOffset is the highest seq
//   of the partition retention removed (retention removes a global seq prefix).
// - Reads (Scan, stats, state) may run concurrently with appends from any thread; a Scan sees a
//   consistent snapshot taken when it starts.
// - Read-only opens (options.read_only) do not take RocksDB's lock, so `segue log export` works while
//   the server holds the database; they see what was written before they opened.
//
// Thread-safety: every method is safe to call from any thread, except that Close() must not be called
// from a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "events/event.h"
#include "log/event_appender.h"
#include "log/partition_source.h"
#include "log/state_store.h"

namespace rocksdb {
class Env;
class WriteBatch;
}  // namespace rocksdb

namespace segue {

struct EventLogOptions {
  std::string dir;
  uint32_t partitions = 16;  // fixed when the log is created; reopening with another value fails
  bool sync = true;          // fsync each group's write (and each state write)
  bool read_only = false;    // no appends, no lock: for readers beside a running server
  size_t dedup_capacity = size_t{1} << 20;        // ids remembered at most ...
  int64_t dedup_window_ms = 24LL * 3600 * 1000;  // ... and for at most this long (ingest clock)
  int64_t retention_ms = 0;      // ApplyRetention drops events ingested longer ago than this; 0 = off
  uint64_t retention_bytes = 0;  // ... and the oldest events while the log is larger than this; 0 = off
  size_t max_pending_events = 200000;  // queued + in-flight events; beyond it AppendAsync fails fast
  // Free-space reserve on the file system of `dir`: appends and state writes are refused with NoSpace
  // while fewer than this many bytes (plus the write itself) are free, so RocksDB keeps room to flush and
  // compact and normally never meets ENOSPC. 0 = no reserve (RocksDB's own ENOSPC is still survived).
  uint64_t min_free_bytes = 0;
  std::function<void(const std::vector<LoggedEvent>&)> on_committed;
  // Called when the log starts refusing appends (with the reason health() reports) and when it accepts
  // them again (Ok), e.g. to log the transition. Runs on the committer, a writer's or a RocksDB
  // background thread, with no lock of the log held; must not block for long or call Close().
  std::function<void(const Status&)> on_health_change;
  // RocksDB's environment (file system); null = the default. Tests pass one that injects faults
  // (unsynced writes lost on a simulated power loss, failing writes).
  rocksdb::Env* env = nullptr;
};

struct LogStats {
  uint64_t events = 0;          // events currently stored
  uint64_t first_seq = 0;       // oldest stored seq (0 when empty)
  uint64_t last_seq = 0;        // newest seq ever assigned (retention does not lower it)
  uint64_t logical_bytes = 0;   // sum of stored key + value sizes (what retention_bytes bounds)
  uint64_t disk_bytes = 0;      // RocksDB's estimate of SST + WAL + memtable bytes
  std::vector<uint64_t> partition_events;  // events stored per partition
  // Since this process opened the log:
  uint64_t group_commits = 0;
  uint64_t grouped_events = 0;  // events (incl. duplicates) that went through those groups
  uint64_t duplicates = 0;
  uint64_t dedup_window_ids = 0;
  uint64_t failed_writes = 0;  // groups and state writes that failed or were refused by min_free_bytes
  double mean_group_size() const { return group_commits ? double(grouped_events) / group_commits : 0; }
};

class EventLog final : public EventAppender, public PartitionSource, public StateStore {
 public:
  static Result<std::unique_ptr<EventLog>> Open(EventLogOptions options);
  ~EventLog() override;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Thread-safe. `done` runs exactly once (see the contract above for where and when).
  void AppendAsync(std::vector<Event> events, AppendCallback done) override;
  // Blocking convenience around AppendAsync. Must not be called from a callback.
  Result<AppendOutcome> Append(std::vector<Event> events);

  enum class ScanOrder {
    kSeq,        // by seq (a k-way merge over partitions); time bounds filter while scanning
    kEventTime,  // by event ts_ms then seq, through the by_time index; from_seq still filters
  };
  struct ScanOptions {
    uint64_t from_seq = 0;  // inclusive
    int64_t since_ms = std::numeric_limits<int64_t>::min();  // event ts_ms, inclusive
    int64_t until_ms = std::numeric_limits<int64_t>::max();  // event ts_ms, exclusive
    std::optional<uint32_t> partition;
    ScanOrder order = ScanOrder::kSeq;
  };
  // Calls `visit` for each matching event until it returns false. Corrupt records end the scan with
  // Status::Corruption naming the key.
  Status Scan(const ScanOptions& options, const std::function<bool(const LoggedEvent&)>& visit) const;

  // PartitionSource.
  Status ReadPartition(uint32_t partition, uint64_t after_offset,
                       const std::function<bool(const LoggedEvent&)>& visit) const override;
  Result<uint64_t> EndOffset(uint32_t partition) const override;
  Result<uint64_t> TrimmedOffset(uint32_t partition) const override;

  uint64_t last_seq() const;
  LogStats stats() const;
  // Ok while appends are accepted; otherwise the reason they are refused (NoSpace, IoError, Unavailable
  // after Close or on a read-only log), the same Status a refused append gets. Cheap: one mutex.
  Status health() const override;
  uint32_t partitions() const override { return options_.partitions; }

  // Deletes, oldest seq first, every event ingested before now_ms - retention_ms, then more of the
  // oldest while logical_bytes > retention_bytes (each bound only when set). Age is ingest time (the
  // log's clock, monotone in seq), not event time, so retention always removes a prefix of the log.
  // Safe beside appends; deletes in chunks so appends are not stalled for long.
  Status ApplyRetention(int64_t now_ms);

  // StateStore, in its own column family. Writes are synced when options.sync is set.
  Status PutState(std::string_view key, std::string_view value) override;
  Result<std::optional<std::string>> GetState(std::string_view key) const override;
  Status DeleteState(std::string_view key) override;
  Status ScanState(std::string_view prefix,
                   const std::function<bool(std::string_view key, std::string_view value)>& visit) const override;
  Status WriteStateBatch(const Ops& ops) override;

  // Completes every queued append, stops the committer and closes the database. Idempotent; the
  // destructor calls it. Appends after Close fail with Unavailable.
  void Close();

 private:
  struct Impl;
  struct Request;
  explicit EventLog(EventLogOptions options);
  struct Listener;
  void RunCommitter();
  void CommitGroup(std::vector<Request>& group);
  // Writes `batch` (synced when options.sync). With `reserve`, first refuses it with NoSpace while the
  // free space is below min_free_bytes + its size. A refusal or an I/O failure makes the log unhealthy.
  Status Write(rocksdb::WriteBatch* batch, const char* what, bool reserve);
  Status CheckReserve(uint64_t write_bytes) const;
  void MarkUnhealthy(const Status& why, bool rocksdb_stopped, uint64_t refused_bytes = 0);
  void TryRecover();  // committer thread only
  Status ScanRaw(const ScanOptions& options,
                 const std::function<bool(const LoggedEvent&, size_t value_size)>& visit) const;
  EventLogOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace segue
