#include "log/event_log.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/listener.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <queue>
#include <system_error>
#include <thread>

#include "common/hash.h"
#include "common/time_util.h"
#include "log/dedup_window.h"
#include "log/log_keys.h"
#include "log/record_codec.h"

namespace segue {
namespace {

using namespace log_keys;

constexpr uint8_t kMetaVersion = 1;               // of the format record
constexpr char kMetaFormatKey[] = "format";      // u8 version | u32 partitions
// u8 version | last_seq | last_ingest_ms | bytes | trimmed_seq | P counts | P end seqs. Version 1 (until
// issue #12) had neither trimmed_seq nor the end seqs: Open migrates it (MigrateV1Counters).
constexpr char kMetaCountersKey[] = "counters";
constexpr uint8_t kCountersV1 = 1;
constexpr uint8_t kCountersVersion = 2;
constexpr size_t kTimeValueSize = 4;             // by_time value: partition u32
constexpr size_t kRetentionChunk = 10000;        // deletes per write, so appends interleave
constexpr uint64_t kMaxTotalWalBytes = 128u << 20;
// While unhealthy, the committer re-checks free space and tries DB::Resume() this often.
constexpr auto kRecoveryInterval = std::chrono::seconds(1);

enum CfIndex { kDefault = 0, kEvents, kByTime, kState, kMeta, kCfCount };
const char* const kCfNames[kCfCount] = {"default", "events", "by_time", "state", "meta"};

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsNoSpace()) return Status::NoSpace(std::move(msg));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(msg));
  return Status::IoError(std::move(msg));
}

// Bytes available to an unprivileged writer on the file system holding `dir`.
Result<uint64_t> FreeBytes(const std::string& dir) {
  struct statvfs st;
  if (statvfs(dir.c_str(), &st) != 0) {
    return Status::IoError("event log: statvfs " + dir + ": " +
                           std::error_code(errno, std::generic_category()).message());
  }
  return uint64_t{st.f_bavail} * st.f_frsize;
}

// RocksDB's info log ("<dir>/LOG"), written with plain write(2) calls whose errors are ignored.
// RocksDB's own file logger must not be used: on a full disk its write fails, and the next log line (RocksDB
// logs the error it is handling) writes to the same failed file writer, which in RocksDB 7.8 builds with
// assertions enabled (Debian's) aborts the process in WritableFileWriter::AssertFalseAndGetStatusForPrevError.
// A lost line on a full disk is harmless; this logger cannot fail. Appends (no rotation): at WARN level
// the file grows slowly.
class InfoLogFile : public rocksdb::Logger {
 public:
  explicit InfoLogFile(const std::string& path)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL),
        fd_(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {}
  ~InfoLogFile() override {
    if (fd_ >= 0) close(fd_);
  }
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (fd_ < 0) return;
    char line[1024];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    size_t n = std::strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    const int m = std::vsnprintf(line + n, sizeof line - n, format, ap);
    if (m > 0) n = std::min(sizeof line - 1, n + static_cast<size_t>(m));
    line[n++] = '\n';
    (void)!write(fd_, line, n);  // ignored: see the class comment
  }

 private:
  int fd_;
};

uint64_t StoredBytes(size_t value_size) {
  return kEventKeySize + value_size + kTimeKeySize + kTimeValueSize;
}

// Durable counters, rewritten in the same WriteBatch as the events they count.
struct Counters {
  uint64_t last_seq = 0;
  int64_t last_ingest_ms = 0;
  uint64_t logical_bytes = 0;
  uint64_t trimmed_seq = 0;               // every seq <= it was removed by retention
  std::vector<uint64_t> partition_events;  // stored per partition
  std::vector<uint64_t> partition_end;     // last seq assigned per partition

  std::string Encode() const {
    std::string s(1, static_cast<char>(kCountersVersion));
    PutBe(last_seq, 8, &s);
    PutBe(static_cast<uint64_t>(last_ingest_ms), 8, &s);
    PutBe(logical_bytes, 8, &s);
    PutBe(trimmed_seq, 8, &s);
    for (uint64_t c : partition_events) PutBe(c, 8, &s);
    for (uint64_t e : partition_end) PutBe(e, 8, &s);
    return s;
  }
  // Sets `*v1` when the record is version 1: trimmed_seq and partition_end are then left at 0 for
  // MigrateV1Counters.
  Status Decode(std::string_view s, uint32_t partitions, bool* v1) {
    const size_t p8 = 8 * size_t{partitions};
    const auto version = s.empty() ? 0 : static_cast<uint8_t>(s[0]);
    *v1 = version == kCountersV1 && s.size() == 1 + 24 + p8;
    if (!*v1 && (version != kCountersVersion || s.size() != 1 + 32 + 2 * p8)) {
      return Status::Corruption("log meta 'counters' has an unexpected size or version");
    }
    last_seq = GetBe(s, 1, 8);
    last_ingest_ms = static_cast<int64_t>(GetBe(s, 9, 8));
    logical_bytes = GetBe(s, 17, 8);
    const size_t counts_at = *v1 ? 25 : 33;
    trimmed_seq = *v1 ? 0 : GetBe(s, 25, 8);
    partition_events.assign(partitions, 0);
    partition_end.assign(partitions, 0);
    for (uint32_t p = 0; p < partitions; ++p) {
      partition_events[p] = GetBe(s, counts_at + 8 * p, 8);
      if (!*v1) partition_end[p] = GetBe(s, counts_at + p8 + 8 * p, 8);
    }
    return Status::Ok();
  }
};

// The last key of partition p in `events` (nullopt when it holds none).
std::optional<uint64_t> LastStoredSeq(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events, uint32_t p) {
  rocksdb::ReadOptions ro;
  const std::string lower = EventKey(p, 0);
  rocksdb::Slice lower_slice(lower);
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, events));
  it->SeekForPrev(EventKey(p, std::numeric_limits<uint64_t>::max()));
  if (!it->Valid()) return std::nullopt;
  return EventKeySeq(std::string_view(it->key().data(), it->key().size()));
}

// Version-1 counters knew neither the retention bound nor each partition's last seq; both follow from
// what is stored, because retention removes a prefix of the global seqs. trimmed_seq is the first stored
// seq - 1 (last_seq when nothing is stored). A partition's end is its last stored seq; a partition with
// none stored gets trimmed_seq (it may never have had an event: the bound is then higher than exact, but
// no event of it lies between, which is all a reader resuming after it needs). Written back as version 2
// with the next group or retention write.
void MigrateV1Counters(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events, Counters* c) {
  const uint32_t partitions = static_cast<uint32_t>(c->partition_events.size());
  std::vector<std::optional<uint64_t>> last(partitions);
  uint64_t first_stored = 0;
  for (uint32_t p = 0; p < partitions; ++p) {
    if (c->partition_events[p] == 0) continue;
    last[p] = LastStoredSeq(db, events, p);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, events));
    it->Seek(EventKey(p, 0));
    if (it->Valid() && EventKeyPartition(std::string_view(it->key().data(), it->key().size())) == p) {
      const uint64_t seq = EventKeySeq(std::string_view(it->key().data(), it->key().size()));
      if (first_stored == 0 || seq < first_stored) first_stored = seq;
    }
  }
  c->trimmed_seq = first_stored ? first_stored - 1 : c->last_seq;
  for (uint32_t p = 0; p < partitions; ++p) c->partition_end[p] = last[p].value_or(c->trimmed_seq);
}

}  // namespace

struct EventLog::Request {
  std::vector<Event> events;
  AppendCallback done;
};

// Learns about RocksDB's background errors (a flush or compaction that failed, e.g. on ENOSPC) so health()
// reports them even when no append failed, and turns off RocksDB's automatic recovery from ENOSPC, which
// waits until the largest write buffer (64 MiB) is free and makes a manual DB::Resume() return Busy
// meanwhile, so on a small disk it never happens: the log decides when to resume (TryRecover).
struct EventLog::Listener : rocksdb::EventListener {
  explicit Listener(EventLog* l) : log(l) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    // Soft errors (a failed compaction) leave writes running; only a stopped database refuses them.
    if (error->severity() >= rocksdb::Status::Severity::kHardError) {
      log->MarkUnhealthy(FromRocks(*error, "event log: RocksDB stopped writes"), /*rocksdb_stopped=*/true);
    }
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
  EventLog* log;
};

struct EventLog::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> cf;
  rocksdb::WriteOptions write_options;

  // Serialises writers of the events/by_time/meta families: committer groups and retention chunks.
  std::mutex write_mu;
  Counters counters;  // guarded by write_mu; the committed truth
  mutable std::mutex stats_mu;
  Counters published;  // copy of `counters` for readers, so stats() never waits for an fsync
  std::atomic<uint64_t> last_seq{0};
  std::atomic<uint64_t> group_commits{0}, grouped_events{0}, duplicates{0}, dedup_ids{0};

  // The append queue.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Request> queue;
  size_t pending_events = 0;  // queued + in the group being committed
  bool closing = false;
  // Write health, guarded by `mu` like the queue.
  Status health;                 // not ok while appends are refused (see the header)
  bool rocksdb_stopped = false;  // RocksDB has a background error: DB::Resume() is needed
  // Size of the largest write min_free_bytes refused: recovery waits until it would fit, so the log does
  // not flip to healthy and straight back on the next write of that size.
  uint64_t refused_bytes = 0;
  std::chrono::steady_clock::time_point next_recovery;  // the committer's next TryRecover while unhealthy
  std::atomic<uint64_t> failed_writes{0};

  std::unique_ptr<DedupWindow> dedup;  // committer thread only (and Open, before it starts)
  std::thread committer;
  bool closed = false;

  void Publish() {
    std::lock_guard<std::mutex> lock(stats_mu);
    published = counters;
    last_seq.store(counters.last_seq, std::memory_order_release);
  }
};

EventLog::EventLog(EventLogOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

EventLog::~EventLog() { Close(); }

Result<std::unique_ptr<EventLog>> EventLog::Open(EventLogOptions options) {
  if (options.dir.empty()) return Status::InvalidArgument("event log: dir is empty");
  if (options.partitions == 0) return Status::InvalidArgument("event log: partitions must be >= 1");
  if (options.max_pending_events == 0) {
    return Status::InvalidArgument("event log: max_pending_events must be >= 1");
  }
  if (!options.read_only) {
    std::error_code ec;
    std::filesystem::create_directories(options.dir, ec);
    if (ec) return Status::IoError("event log: cannot create " + options.dir + ": " + ec.message());
  } else if (!std::filesystem::exists(std::filesystem::path(options.dir) / "CURRENT")) {
    return Status::NotFound("event log: no log at " + options.dir);
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  // A WAL file is deleted only when every column family with data in it has flushed. The meta family
  // gets one small counters record per group and would not fill its write buffer for days, so without a
  // bound the WAL, and what Open replays after a kill -9, would grow with the log. Beyond this size
  // RocksDB flushes the families holding the oldest WAL file, so recovery replays at most this much.
  db_options.max_total_wal_size = kMaxTotalWalBytes;
  db_options.info_log = std::make_shared<InfoLogFile>(options.dir + "/LOG");
  if (options.env != nullptr) db_options.env = options.env;
  // A read-only instance keeps every file it needs open, so the server's compactions cannot pull an SST
  // out from under a long export.
  if (options.read_only) db_options.max_open_files = -1;

  rocksdb::ColumnFamilyOptions log_cf;
  log_cf.compression = rocksdb::kLZ4Compression;
  // Retention deletes whole runs of the oldest keys; compact files dense with tombstones early so the
  // disk space actually comes back.
  log_cf.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(/*sliding_window_size=*/10000, /*deletion_trigger=*/5000));
  rocksdb::ColumnFamilyOptions small_cf;
  small_cf.compression = rocksdb::kLZ4Compression;
  small_cf.write_buffer_size = 8 << 20;

  // by_time is write-mostly: its only readers are event-time scans (one iterator each, never a point
  // Get). A vector memtable makes each insert an append instead of a skiplist search keyed by event
  // time (which clients do not send in order); the price is a sort when an iterator is opened on the
  // live memtable and when it is flushed. The vector memtable does not take concurrent inserts, hence
  // allow_concurrent_memtable_write = false; the committer is the only bulk writer anyway.
  rocksdb::ColumnFamilyOptions time_cf = log_cf;
  time_cf.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  db_options.allow_concurrent_memtable_write = false;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kCfCount; ++i) {
    descriptors.emplace_back(kCfNames[i], i == kEvents ? log_cf : i == kByTime ? time_cf : small_cf);
  }

  std::unique_ptr<EventLog> log(new EventLog(std::move(options)));
  Impl& im = *log->impl_;
  db_options.listeners.push_back(std::make_shared<Listener>(log.get()));
  EventLogOptions& opts = log->options_;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs =
      opts.read_only
          ? rocksdb::DB::OpenForReadOnly(rocksdb::Options(db_options, log_cf), opts.dir, descriptors, &im.cf, &raw)
          : rocksdb::DB::Open(rocksdb::Options(db_options, log_cf), opts.dir, descriptors, &im.cf, &raw);
  if (!rs.ok()) {
    return FromRocks(rs, "event log: open " + opts.dir +
                             (rs.IsIOError() ? " (is another process writing it? use a read-only open)" : ""));
  }
  im.db.reset(raw);
  im.write_options.sync = opts.sync;

  std::string value;
  rs = im.db->Get({}, im.cf[kMeta], kMetaFormatKey, &value);
  if (rs.IsNotFound()) {
    if (opts.read_only) return Status::Corruption("event log: " + opts.dir + " has no format record");
    value.assign(1, static_cast<char>(kMetaVersion));
    PutBe(opts.partitions, 4, &value);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (Status s = FromRocks(im.db->Put(wo, im.cf[kMeta], kMetaFormatKey, value), "event log: write format");
        !s.ok()) {
      return s;
    }
  } else if (!rs.ok()) {
    return FromRocks(rs, "event log: read format");
  } else {
    if (value.size() != 5 || static_cast<uint8_t>(value[0]) != kMetaVersion) {
      return Status::Corruption("event log: " + opts.dir + " has an unknown format record");
    }
    const auto stored = static_cast<uint32_t>(GetBe(value, 1, 4));
    if (opts.read_only) {
      opts.partitions = stored;  // readers adopt the log's layout
    } else if (stored != opts.partitions) {
      return Status::InvalidArgument("event log: " + opts.dir + " was created with " + std::to_string(stored) +
                                     " partitions; asked for " + std::to_string(opts.partitions) +
                                     " (the user-to-partition map cannot change)");
    }
  }

  im.counters.partition_events.assign(opts.partitions, 0);
  im.counters.partition_end.assign(opts.partitions, 0);
  rs = im.db->Get({}, im.cf[kMeta], kMetaCountersKey, &value);
  if (rs.ok()) {
    bool v1 = false;
    if (Status s = im.counters.Decode(value, opts.partitions, &v1); !s.ok()) return s;
    if (v1) MigrateV1Counters(im.db.get(), im.cf[kEvents], &im.counters);
  } else if (!rs.IsNotFound()) {
    return FromRocks(rs, "event log: read counters");
  }
  im.Publish();
  if (opts.read_only) return log;

  // Rebuild the de-dup window from the tail: seqs are dense, so the last `capacity` of them are the
  // candidates; the window's own time bound drops the ones that are too old.
  im.dedup = std::make_unique<DedupWindow>(opts.dedup_capacity, opts.dedup_window_ms);
  ScanOptions tail;
  const uint64_t last = im.counters.last_seq;
  tail.from_seq = last >= opts.dedup_capacity ? last - opts.dedup_capacity + 1 : 1;
  Status s = log->Scan(tail, [&](const LoggedEvent& e) {
    im.dedup->CheckAndInsert(e.event.event_id, e.ingest_ms);
    return true;
  });
  if (!s.ok()) return s;
  im.dedup_ids = im.dedup->size();

  // Start refusing right away when the disk is already below the reserve (readiness reports it).
  if (Status reserve = log->CheckReserve(0); !reserve.ok()) log->MarkUnhealthy(reserve, false);
  im.committer = std::thread([l = log.get()] { l->RunCommitter(); });
  return log;
}

void EventLog::AppendAsync(std::vector<Event> events, AppendCallback done) {
  Impl& im = *impl_;
  const size_t n = events.size();
  Status reject;
  {
    std::lock_guard<std::mutex> lock(im.mu);
    if (options_.read_only) {
      reject = Status::Unavailable("event log: opened read-only");
    } else if (im.closing) {
      reject = Status::Unavailable("event log: closed");
    } else if (!im.health.ok()) {
      reject = im.health;
    } else if (n > options_.max_pending_events) {
      reject = Status::ResourceExhausted("event log: a batch of " + std::to_string(n) +
                                         " events exceeds max_pending_events (" +
                                         std::to_string(options_.max_pending_events) + ")");
    } else if (im.pending_events + n > options_.max_pending_events) {
      reject = Status::ResourceExhausted("event log: append queue full (" + std::to_string(im.pending_events) +
                                         " events pending); retry later");
    } else {
      im.pending_events += n;
      im.queue.push_back({std::move(events), std::move(done)});
    }
  }
  if (!reject.ok()) {
    done(std::move(reject));
    return;
  }
  im.cv.notify_one();
}

Result<AppendOutcome> EventLog::Append(std::vector<Event> events) {
  std::promise<Result<AppendOutcome>> promise;
  auto future = promise.get_future();
  AppendAsync(std::move(events), [&promise](Result<AppendOutcome> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void EventLog::RunCommitter() {
  Impl& im = *impl_;
  std::vector<Request> group;
  for (;;) {
    bool recover;
    {
      std::unique_lock<std::mutex> lock(im.mu);
      auto wake = [&] { return im.closing || !im.queue.empty(); };
      if (im.health.ok()) {
        im.cv.wait(lock, wake);
      } else {
        im.cv.wait_until(lock, im.next_recovery, wake);  // recovery needs no appender to wake it
      }
      if (im.closing && im.queue.empty()) return;  // closing and drained
      group.swap(im.queue);
      const auto now = std::chrono::steady_clock::now();
      recover = !im.health.ok() && now >= im.next_recovery;
      if (recover) im.next_recovery = now + kRecoveryInterval;
    }
    if (recover) TryRecover();
    if (group.empty()) continue;
    size_t n = 0;
    for (const auto& r : group) n += r.events.size();
    CommitGroup(group);
    group.clear();
    std::lock_guard<std::mutex> lock(im.mu);
    im.pending_events -= n;
  }
}

Status EventLog::health() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (options_.read_only) return Status::Unavailable("event log: opened read-only");
  if (impl_->closing) return Status::Unavailable("event log: closed");
  return impl_->health;
}

Status EventLog::CheckReserve(uint64_t write_bytes) const {
  if (options_.min_free_bytes == 0) return Status::Ok();
  // A failing statvfs is not a reason to refuse: RocksDB's own write reports real trouble.
  Result<uint64_t> free = FreeBytes(options_.dir);
  if (!free.ok() || *free >= options_.min_free_bytes + write_bytes) return Status::Ok();
  return Status::NoSpace("event log: only " + std::to_string(*free) + " bytes free on the disk of " + options_.dir +
                         ", below the reserve min_free_bytes = " + std::to_string(options_.min_free_bytes) +
                         (write_bytes ? " (+ " + std::to_string(write_bytes) + " for this write)" : std::string()) +
                         "; writes resume once space is freed");
}

void EventLog::MarkUnhealthy(const Status& why, bool rocksdb_stopped, uint64_t refused_bytes) {
  Impl& im = *impl_;
  bool became_unhealthy;
  {
    std::lock_guard<std::mutex> lock(im.mu);
    im.refused_bytes = std::max(im.refused_bytes, refused_bytes);
    became_unhealthy = im.health.ok();
    if (became_unhealthy) im.next_recovery = std::chrono::steady_clock::now() + kRecoveryInterval;
    // Keep the first reason: it names the original failure, later ones are usually its echo.
    if (became_unhealthy || (rocksdb_stopped && !im.rocksdb_stopped)) im.health = why;
    im.rocksdb_stopped = im.rocksdb_stopped || rocksdb_stopped;
  }
  if (became_unhealthy && options_.on_health_change) options_.on_health_change(why);
}

void EventLog::TryRecover() {
  Impl& im = *impl_;
  bool resume;
  uint64_t refused_bytes;
  {
    std::lock_guard<std::mutex> lock(im.mu);
    if (im.health.ok()) return;
    resume = im.rocksdb_stopped;
    refused_bytes = im.refused_bytes;
  }
  if (!CheckReserve(refused_bytes).ok()) return;  // still short of space; keep the reason already reported
  if (resume) {
    // Flushes the memtables to new SST files and switches to a new WAL (RocksDB cannot vouch for the WAL
    // that failed). Fails harmlessly while the disk is still full; retried at the next interval.
    if (!im.db->Resume().ok()) return;
  }
  {
    std::lock_guard<std::mutex> lock(im.mu);
    im.health = Status::Ok();
    im.rocksdb_stopped = false;
    im.refused_bytes = 0;
  }
  if (options_.on_health_change) options_.on_health_change(Status::Ok());
}

Status EventLog::Write(rocksdb::WriteBatch* batch, const char* what, bool reserve) {
  Impl& im = *impl_;
  if (reserve) {
    if (Status r = CheckReserve(batch->GetDataSize()); !r.ok()) {
      im.failed_writes.fetch_add(1, std::memory_order_relaxed);
      MarkUnhealthy(r, /*rocksdb_stopped=*/false, batch->GetDataSize());
      return r;
    }
  }
  Status s = FromRocks(im.db->Write(im.write_options, batch), what);
  if (!s.ok()) im.failed_writes.fetch_add(1, std::memory_order_relaxed);
  if (s.code() == StatusCode::kNoSpace || s.code() == StatusCode::kIoError) {
    MarkUnhealthy(s, /*rocksdb_stopped=*/true);
  }
  return s;
}

void EventLog::CommitGroup(std::vector<Request>& group) {
  Impl& im = *impl_;
  Status failure;
  {
    // Not health(): groups queued before Close() are still written.
    std::lock_guard<std::mutex> lock(im.mu);
    failure = im.health;
  }
  std::vector<LoggedEvent> logged;
  std::vector<AppendOutcome> outcomes(group.size());
  if (failure.ok()) {
    std::unique_lock<std::mutex> wlock(im.write_mu);
    // The ingest clock never runs backwards, so retention by age always removes a prefix of the log.
    const int64_t now = std::max(NowMs(), im.counters.last_ingest_ms);
    Counters next = im.counters;
    size_t total = 0;
    for (const auto& r : group) total += r.events.size();
    logged.reserve(total);
    for (size_t r = 0; r < group.size(); ++r) {
      AppendOutcome& out = outcomes[r];
      out.seqs.assign(group[r].events.size(), 0);
      for (size_t i = 0; i < group[r].events.size(); ++i) {
        Event& e = group[r].events[i];
        if (im.dedup->Stage(e.event_id, now)) {
          ++out.duplicates;
          continue;
        }
        LoggedEvent& rec = logged.emplace_back();
        rec.partition = PartitionOf(e.user_id, options_.partitions);
        rec.seq = ++next.last_seq;
        rec.ingest_ms = now;
        rec.event = std::move(e);
        ++next.partition_events[rec.partition];
        next.partition_end[rec.partition] = rec.seq;
        out.seqs[i] = rec.seq;
        ++out.accepted;
      }
    }
    // The group's entries go into the batch in each family's key order, not in seq order. Inserting into
    // RocksDB's skiplist memtable then mostly lands right after the previous insert, which the skiplist's
    // remembered insert position ("splice") turns into a couple of key comparisons instead of a full
    // search from the top; full searches were ~80% of the committer's instructions (docs/log.md). The
    // batch is applied atomically, so the order inside it changes nothing that readers can observe.
    std::vector<uint32_t> order(logged.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    // events: (partition, seq); `logged` is in seq order, so a stable sort on partition suffices.
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return logged[a].partition < logged[b].partition; });
    constexpr size_t kBatchBytesPerEvent = 192;  // typical record + keys + WriteBatch framing, both families
    rocksdb::WriteBatch batch(logged.size() * kBatchBytesPerEvent);
    // Scratch buffers are reused across events: no allocation per event once they have grown.
    std::string value, key, time_key, partition_value;
    for (uint32_t idx : order) {
      const LoggedEvent& rec = logged[idx];
      value.clear();
      EncodeLoggedEvent(rec, &value);
      key.clear();
      AppendEventKey(rec.partition, rec.seq, &key);
      batch.Put(im.cf[kEvents], key, value);
      next.logical_bytes += StoredBytes(value.size());
    }
    // by_time: (ts_ms, seq).
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const Event& ea = logged[a].event;
      const Event& eb = logged[b].event;
      return ea.ts_ms != eb.ts_ms ? ea.ts_ms < eb.ts_ms : logged[a].seq < logged[b].seq;
    });
    for (uint32_t idx : order) {
      const LoggedEvent& rec = logged[idx];
      time_key.clear();
      AppendTimeKey(rec.event.ts_ms, rec.seq, &time_key);
      partition_value.clear();
      PutBe(rec.partition, 4, &partition_value);
      batch.Put(im.cf[kByTime], time_key, partition_value);
    }
    if (!logged.empty()) {
      next.last_ingest_ms = now;
      batch.Put(im.cf[kMeta], kMetaCountersKey, next.Encode());
      failure = Write(&batch, "event log: write", /*reserve=*/true);
    }
    // On failure nothing of the group is kept: `next` (seqs, counts) is dropped and its ids are forgotten.
    if (failure.ok()) {
      im.dedup->Commit();
      im.counters = std::move(next);
      im.Publish();
    } else {
      im.dedup->Abort();
    }
    wlock.unlock();
    im.dedup_ids.store(im.dedup->size(), std::memory_order_relaxed);
    if (failure.ok()) {
      im.group_commits.fetch_add(1, std::memory_order_relaxed);
      im.grouped_events.fetch_add(total, std::memory_order_relaxed);
      size_t dups = 0;
      for (const auto& o : outcomes) dups += o.duplicates;
      im.duplicates.fetch_add(dups, std::memory_order_relaxed);
    }
  }
  if (failure.ok() && !logged.empty() && options_.on_committed) options_.on_committed(logged);
  for (size_t r = 0; r < group.size(); ++r) {
    if (failure.ok()) {
      group[r].done(std::move(outcomes[r]));
    } else {
      group[r].done(failure);
    }
  }
}

uint64_t EventLog::last_seq() const { return impl_->last_seq.load(std::memory_order_acquire); }

Status EventLog::Scan(const ScanOptions& so, const std::function<bool(const LoggedEvent&)>& visit) const {
  return ScanRaw(so, [&](const LoggedEvent& e, size_t) { return visit(e); });
}

Status EventLog::ScanRaw(const ScanOptions& so,
                         const std::function<bool(const LoggedEvent&, size_t value_size)>& visit) const {
  const Impl& im = *impl_;
  if (im.closed) return Status::Unavailable("event log: closed");
  if (so.partition && *so.partition >= options_.partitions) {
    return Status::InvalidArgument("event log scan: partition " + std::to_string(*so.partition) +
                                   " out of range (log has " + std::to_string(options_.partitions) + ")");
  }
  if (so.since_ms >= so.until_ms) return Status::Ok();
  const rocksdb::Snapshot* snapshot = im.db->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{im.db.get(), snapshot};
  LoggedEvent rec;

  if (so.order == ScanOrder::kEventTime) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    const std::string upper = TimeKey(so.until_ms, 0);
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(im.db->NewIterator(ro, im.cf[kByTime]));
    rocksdb::ReadOptions get_ro;
    get_ro.snapshot = snapshot;
    std::string value;
    for (it->Seek(TimeKey(so.since_ms, 0)); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key();
      const rocksdb::Slice v = it->value();
      if (k.size() != kTimeKeySize || v.size() != kTimeValueSize) {
        return Status::Corruption("event log: malformed by_time entry");
      }
      const uint64_t seq = TimeKeySeq(std::string_view(k.data(), k.size()));
      const auto partition = static_cast<uint32_t>(GetBe(std::string_view(v.data(), v.size()), 0, 4));
      if (seq < so.from_seq || (so.partition && partition != *so.partition)) continue;
      const std::string key = EventKey(partition, seq);
      rocksdb::Status rs = im.db->Get(get_ro, im.cf[kEvents], key, &value);
      if (!rs.ok()) return FromRocks(rs, "event log: by_time names missing event seq " + std::to_string(seq));
      if (Status s = DecodeLoggedEvent(value, &rec); !s.ok()) {
        return Status::Corruption(s.message() + " (seq " + std::to_string(seq) + ")");
      }
      if (!visit(rec, value.size())) return Status::Ok();
    }
    return FromRocks(it->status(), "event log: scan by_time");
  }

  // Seq order: one iterator per partition, merged on seq.
  struct Cursor {
    std::string upper;
    rocksdb::Slice upper_slice;
    std::unique_ptr<rocksdb::Iterator> it;
  };
  std::vector<Cursor> cursors;
  const uint32_t first = so.partition ? *so.partition : 0;
  const uint32_t last = so.partition ? *so.partition + 1 : options_.partitions;
  cursors.reserve(last - first);
  using HeapItem = std::pair<uint64_t, size_t>;  // (seq, cursor)
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> heap;
  for (uint32_t p = first; p < last; ++p) {
    Cursor& c = cursors.emplace_back();
    c.upper = EventKey(p + 1, 0);  // partition p+1 == 2^32 cannot happen: partitions is a u32 count
    c.upper_slice = rocksdb::Slice(c.upper);
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.iterate_upper_bound = &c.upper_slice;
    ro.readahead_size = 1 << 20;
    c.it.reset(im.db->NewIterator(ro, im.cf[kEvents]));
    c.it->Seek(EventKey(p, so.from_seq));
    if (c.it->Valid()) heap.emplace(EventKeySeq(std::string_view(c.it->key().data(), c.it->key().size())),
                                    cursors.size() - 1);
    if (!c.it->status().ok()) return FromRocks(c.it->status(), "event log: scan");
  }
  while (!heap.empty()) {
    const auto [seq, idx] = heap.top();
    heap.pop();
    rocksdb::Iterator& it = *cursors[idx].it;
    const rocksdb::Slice v = it.value();
    if (Status s = DecodeLoggedEvent(std::string_view(v.data(), v.size()), &rec); !s.ok()) {
      return Status::Corruption(s.message() + " (seq " + std::to_string(seq) + ")");
    }
    if (rec.seq != seq || rec.partition != first + idx) {
      return Status::Corruption("event log: record under key (partition " + std::to_string(first + idx) +
                                ", seq " + std::to_string(seq) + ") claims partition " +
                                std::to_string(rec.partition) + ", seq " + std::to_string(rec.seq));
    }
    if (rec.event.ts_ms >= so.since_ms && rec.event.ts_ms < so.until_ms && !visit(rec, v.size())) {
      return Status::Ok();
    }
    it.Next();
    if (it.Valid()) {
      heap.emplace(EventKeySeq(std::string_view(it.key().data(), it.key().size())), idx);
    } else if (!it.status().ok()) {
      return FromRocks(it.status(), "event log: scan");
    }
  }
  return Status::Ok();
}

Status EventLog::ReadPartition(uint32_t partition, uint64_t after_offset,
                               const std::function<bool(const LoggedEvent&)>& visit) const {
  ScanOptions so;
  so.partition = partition;
  so.from_seq = after_offset + 1;
  return Scan(so, visit);
}

Result<uint64_t> EventLog::EndOffset(uint32_t partition) const {
  if (partition >= options_.partitions) return Status::InvalidArgument("event log: partition out of range");
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  return impl_->published.partition_end[partition];
}

Result<uint64_t> EventLog::TrimmedOffset(uint32_t partition) const {
  if (partition >= options_.partitions) return Status::InvalidArgument("event log: partition out of range");
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  return std::min(impl_->published.trimmed_seq, impl_->published.partition_end[partition]);
}

LogStats EventLog::stats() const {
  const Impl& im = *impl_;
  LogStats st;
  {
    std::lock_guard<std::mutex> lock(im.stats_mu);
    st.last_seq = im.published.last_seq;
    st.logical_bytes = im.published.logical_bytes;
    st.partition_events = im.published.partition_events;
  }
  for (uint64_t c : st.partition_events) st.events += c;
  st.group_commits = im.group_commits.load(std::memory_order_relaxed);
  st.grouped_events = im.grouped_events.load(std::memory_order_relaxed);
  st.duplicates = im.duplicates.load(std::memory_order_relaxed);
  st.dedup_window_ids = im.dedup_ids.load(std::memory_order_relaxed);
  st.failed_writes = im.failed_writes.load(std::memory_order_relaxed);
  if (im.closed) return st;

  for (int i = 0; i < kCfCount; ++i) {
    uint64_t v = 0;
    if (im.db->GetIntProperty(im.cf[i], rocksdb::DB::Properties::kTotalSstFilesSize, &v)) st.disk_bytes += v;
  }
  uint64_t memtables = 0;
  if (im.db->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &memtables)) {
    st.disk_bytes += memtables;
  }
  rocksdb::VectorLogPtr wals;
  if (im.db->GetSortedWalFiles(wals).ok()) {
    for (const auto& w : wals) st.disk_bytes += w->SizeFileBytes();
  }
  // The oldest stored seq: the smallest first key over the partitions.
  for (uint32_t p = 0; p < options_.partitions; ++p) {
    if (st.partition_events[p] == 0) continue;
    const std::string upper = EventKey(p + 1, 0);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(im.db->NewIterator(ro, im.cf[kEvents]));
    it->Seek(EventKey(p, 0));
    if (!it->Valid()) continue;
    const uint64_t seq = EventKeySeq(std::string_view(it->key().data(), it->key().size()));
    if (st.first_seq == 0 || seq < st.first_seq) st.first_seq = seq;
  }
  return st;
}

Status EventLog::ApplyRetention(int64_t now_ms) {
  Impl& im = *impl_;
  if (options_.read_only) return Status::Unavailable("event log: opened read-only");
  if (im.closed) return Status::Unavailable("event log: closed");
  if (options_.retention_ms <= 0 && options_.retention_bytes == 0) return Status::Ok();
  const int64_t cutoff_ms =
      options_.retention_ms > 0 ? now_ms - options_.retention_ms : std::numeric_limits<int64_t>::min();
  uint64_t from_seq = 0;
  for (;;) {
    std::lock_guard<std::mutex> wlock(im.write_mu);
    Counters next = im.counters;
    rocksdb::WriteBatch batch;
    size_t deleted = 0;
    ScanOptions so;
    so.from_seq = from_seq;
    Status s = ScanRaw(so, [&](const LoggedEvent& e, size_t value_size) {
      const bool too_old = e.ingest_ms < cutoff_ms;
      const bool too_big = options_.retention_bytes > 0 && next.logical_bytes > options_.retention_bytes;
      if (!too_old && !too_big) return false;
      batch.Delete(im.cf[kEvents], EventKey(e.partition, e.seq));
      batch.Delete(im.cf[kByTime], TimeKey(e.event.ts_ms, e.seq));
      next.logical_bytes -= std::min(next.logical_bytes, StoredBytes(value_size));
      --next.partition_events[e.partition];
      next.trimmed_seq = e.seq;
      from_seq = e.seq + 1;
      return ++deleted < kRetentionChunk;
    });
    if (!s.ok()) return s;
    if (deleted == 0) return Status::Ok();
    batch.Put(im.cf[kMeta], kMetaCountersKey, next.Encode());
    // No reserve check: retention frees space (once compacted), it is how a full log makes room.
    if (Status ws = Write(&batch, "event log: retention write", /*reserve=*/false); !ws.ok()) {
      return ws;
    }
    im.counters = std::move(next);
    im.Publish();
    if (deleted < kRetentionChunk) return Status::Ok();
  }
}

Status EventLog::PutState(std::string_view key, std::string_view value) {
  return WriteStateBatch({{std::string(key), std::string(value)}});
}

Status EventLog::DeleteState(std::string_view key) { return WriteStateBatch({{std::string(key), std::nullopt}}); }

Status EventLog::WriteStateBatch(const Ops& ops) {
  Impl& im = *impl_;
  if (options_.read_only) return Status::Unavailable("event log: opened read-only");
  if (im.closed) return Status::Unavailable("event log: closed");
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : ops) {
    if (value) {
      batch.Put(im.cf[kState], key, *value);
    } else {
      batch.Delete(im.cf[kState], key);
    }
  }
  return Write(&batch, "event log: state write", /*reserve=*/true);
}

Result<std::optional<std::string>> EventLog::GetState(std::string_view key) const {
  const Impl& im = *impl_;
  if (im.closed) return Status::Unavailable("event log: closed");
  std::string value;
  rocksdb::Status rs = im.db->Get({}, im.cf[kState], rocksdb::Slice(key.data(), key.size()), &value);
  if (rs.IsNotFound()) return std::optional<std::string>();
  if (!rs.ok()) return FromRocks(rs, "event log: state read");
  return std::optional<std::string>(std::move(value));
}

Status EventLog::ScanState(std::string_view prefix,
                           const std::function<bool(std::string_view, std::string_view)>& visit) const {
  const Impl& im = *impl_;
  if (im.closed) return Status::Unavailable("event log: closed");
  std::unique_ptr<rocksdb::Iterator> it(im.db->NewIterator({}, im.cf[kState]));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    const std::string_view k(it->key().data(), it->key().size());
    if (k.substr(0, prefix.size()) != prefix) break;
    if (!visit(k, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromRocks(it->status(), "event log: state scan");
}

void EventLog::Close() {
  Impl& im = *impl_;
  if (im.closed) return;
  {
    std::lock_guard<std::mutex> lock(im.mu);
    im.closing = true;
  }
  im.cv.notify_one();
  if (im.committer.joinable()) im.committer.join();
  im.closed = true;
  if (!im.db) return;
  for (rocksdb::ColumnFamilyHandle* h : im.cf) im.db->DestroyColumnFamilyHandle(h);
  im.cf.clear();
  im.db->Close();
  im.db.reset();
}

}  // namespace segue
