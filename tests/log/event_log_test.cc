#include "log/event_log.h"

#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "common/hash.h"
#include "common/time_util.h"
#include "fault_fs.h"
#include "log/log_keys.h"
#include "raw_log_db.h"
#include "test_util.h"

namespace segue {
namespace {

using testing::Id;
using testing::MakeEvent;
using testing::TempDir;

EventLogOptions Opts(const std::string& dir) {
  EventLogOptions o;
  o.dir = dir;
  o.sync = false;  // durability is covered by the crash test; keep these fast
  return o;
}

std::unique_ptr<EventLog> MustOpen(EventLogOptions o) {
  auto r = EventLog::Open(std::move(o));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::vector<LoggedEvent> ScanAll(const EventLog& log, EventLog::ScanOptions so = {}) {
  std::vector<LoggedEvent> out;
  Status s = log.Scan(so, [&](const LoggedEvent& e) {
    out.push_back(e);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(EventLog, AppendAssignsDenseSeqsAndScansInSeqOrder) {
  TempDir dir;
  auto log = MustOpen(Opts(dir.path()));
  std::vector<Event> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(MakeEvent(Id("e", i), Id("u", i % 7), i));
  auto r = log->Append(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 50u);
  EXPECT_EQ(r->duplicates, 0u);
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(r->seqs[i], i + 1);
  EXPECT_EQ(log->last_seq(), 50u);

  const auto all = ScanAll(*log);
  ASSERT_EQ(all.size(), 50u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, i + 1);
    EXPECT_EQ(all[i].event, batch[i]);
    EXPECT_EQ(all[i].partition, PartitionOf(batch[i].user_id, 16));
    EXPECT_GT(all[i].ingest_ms, 0);
  }
  EventLog::ScanOptions from;
  from.from_seq = 41;
  const auto tail = ScanAll(*log, from);
  ASSERT_EQ(tail.size(), 10u);
  EXPECT_EQ(tail.front().seq, 41u);
}

TEST(EventLog, PartitionScanHoldsOnlyThatPartitionsUsers) {
  TempDir dir;
  auto o = Opts(dir.path());
  o.partitions = 4;
  auto log = MustOpen(o);
  std::vector<Event> batch;
  for (int i = 0; i < 200; ++i) batch.push_back(MakeEvent(Id("e", i), Id("user", i % 23), i));
  ASSERT_TRUE(log->Append(batch).ok());
  size_t total = 0;
  const LogStats st = log->stats();
  ASSERT_EQ(st.partition_events.size(), 4u);
  for (uint32_t p = 0; p < 4; ++p) {
    EventLog::ScanOptions so;
    so.partition = p;
    const auto part = ScanAll(*log, so);
    EXPECT_EQ(part.size(), st.partition_events[p]);
    for (size_t i = 0; i < part.size(); ++i) {
      EXPECT_EQ(PartitionOf(part[i].event.user_id, 4), p);
      if (i > 0) {
        EXPECT_LT(part[i - 1].seq, part[i].seq);
      }
    }
    total += part.size();
  }
  EXPECT_EQ(total, 200u);
  EXPECT_EQ(st.events, 200u);
  EventLog::ScanOptions bad;
  bad.partition = 4;
  EXPECT_EQ(log->Scan(bad, [](const LoggedEvent&) { return true; }).code(), StatusCode::kInvalidArgument);
}

TEST(EventLog, TimeRangeScanInBothOrders) {
  TempDir dir;
  auto log = MustOpen(Opts(dir.path()));
  // Event times deliberately out of seq order, including negative times (sign-bit flip in the key).
  const std::vector<int64_t> ts = {500, -20, 300, 100, 700, 300, -5};
  std::vector<Event> batch;
  for (size_t i = 0; i < ts.size(); ++i) batch.push_back(MakeEvent(Id("e", i), Id("u", i), ts[i]));
  ASSERT_TRUE(log->Append(batch).ok());

  EventLog::ScanOptions so;
  so.since_ms = -10;
  so.until_ms = 500;  // exclusive
  std::vector<uint64_t> seqs;
  for (const auto& e : ScanAll(*log, so)) seqs.push_back(e.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{3, 4, 6, 7}));

  so.order = EventLog::ScanOrder::kEventTime;
  std::vector<int64_t> times;
  seqs.clear();
  for (const auto& e : ScanAll(*log, so)) {
    times.push_back(e.event.ts_ms);
    seqs.push_back(e.seq);
  }
  EXPECT_EQ(times, (std::vector<int64_t>{-5, 100, 300, 300}));
  EXPECT_EQ(seqs, (std::vector<uint64_t>{7, 4, 3, 6}));

  so.from_seq = 5;  // still honoured in time order
  EXPECT_EQ(ScanAll(*log, so).size(), 2u);

  int visited = 0;  // the visitor stops the scan
  ASSERT_TRUE(log->Scan({}, [&](const LoggedEvent&) { return ++visited < 3; }).ok());
  EXPECT_EQ(visited, 3);
}

TEST(EventLog, DeduplicatesWithinBatchAcrossBatchesAndAfterReopen) {
  TempDir dir;
  {
    auto log = MustOpen(Opts(dir.path()));
    auto r = log->Append({MakeEvent("a", "u", 1), MakeEvent("b", "u", 2), MakeEvent("a", "u", 3)});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->accepted, 2u);
    EXPECT_EQ(r->duplicates, 1u);
    EXPECT_EQ(r->seqs, (std::vector<uint64_t>{1, 2, 0}));
    r = log->Append({MakeEvent("b", "v", 4), MakeEvent("c", "u", 5)});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->seqs, (std::vector<uint64_t>{0, 3}));
    EXPECT_EQ(log->stats().duplicates, 2u);
  }
  auto log = MustOpen(Opts(dir.path()));
  EXPECT_EQ(log->last_seq(), 3u);
  EXPECT_EQ(log->stats().dedup_window_ids, 3u);
  auto r = log->Append({MakeEvent("a", "u", 6), MakeEvent("c", "u", 7), MakeEvent("d", "u", 8)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seqs, (std::vector<uint64_t>{0, 0, 4}));
  EXPECT_EQ(ScanAll(*log).size(), 4u);
}

TEST(EventLog, DedupWindowIsBoundedAcrossReopen) {
  TempDir dir;
  auto o = Opts(dir.path());
  o.dedup_capacity = 3;
  {
    auto log = MustOpen(o);
    ASSERT_TRUE(log->Append({MakeEvent("a", "u", 1), MakeEvent("b", "u", 2), MakeEvent("c", "u", 3),
                             MakeEvent("d", "u", 4)})
                    .ok());
  }
  auto log = MustOpen(o);
  // Rebuilt from the last 3 seqs: b, c, d are remembered, a fell out of the window.
  auto r = log->Append({MakeEvent("a", "u", 5), MakeEvent("d", "u", 6)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seqs, (std::vector<uint64_t>{5, 0}));
}

TEST(EventLog, ConcurrentAppendersLoseAndDuplicateNothing) {
  TempDir dir;
  std::atomic<uint64_t> committed_events{0};
  std::atomic<uint64_t> last_committed{0};
  std::atomic<bool> order_ok{true};
  auto o = Opts(dir.path());
  o.on_committed = [&](const std::vector<LoggedEvent>& group) {
    for (const auto& e : group) {
      if (e.seq != last_committed + 1) order_ok = false;
      last_committed = e.seq;
    }
    committed_events += group.size();
  };
  auto log = MustOpen(o);
  const int threads = 4, batches = 50, per_batch = 20;
  std::vector<std::vector<uint64_t>> seqs(threads);
  std::atomic<bool> ack_after_commit{true};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int b = 0; b < batches; ++b) {
        std::vector<Event> batch;
        for (int i = 0; i < per_batch; ++i) {
          const std::string id = Id("t", t) + Id("-", b) + Id("-", i);
          batch.push_back(MakeEvent(id, Id("user", i), b));
        }
        auto r = log->Append(std::move(batch));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        for (uint64_t s : r->seqs) {
          if (s > last_committed) ack_after_commit = false;  // on_committed ran before done
          seqs[t].push_back(s);
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  std::set<uint64_t> all;
  for (const auto& v : seqs) {
    for (size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);  // one producer's events stay in order
    all.insert(v.begin(), v.end());
  }
  const uint64_t n = uint64_t{threads} * batches * per_batch;
  EXPECT_EQ(all.size(), n);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), n);
  EXPECT_TRUE(order_ok);
  EXPECT_TRUE(ack_after_commit);
  EXPECT_EQ(committed_events, n);
  EXPECT_EQ(ScanAll(*log).size(), n);
  const LogStats st = log->stats();
  EXPECT_EQ(st.grouped_events, n);
  EXPECT_GE(st.group_commits, 1u);
  EXPECT_LE(st.group_commits, uint64_t{threads} * batches);
}

TEST(EventLog, QueueLimitFailsFastAndCloseRefusesAppends) {
  TempDir dir;
  auto o = Opts(dir.path());
  o.max_pending_events = 10;
  auto log = MustOpen(o);
  std::vector<Event> big;
  for (int i = 0; i < 11; ++i) big.push_back(MakeEvent(Id("e", i), "u", i));
  auto r = log->Append(big);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  big.pop_back();
  EXPECT_TRUE(log->Append(big).ok());
  log->Close();
  log->Close();  // idempotent
  r = log->Append({MakeEvent("x", "u", 1)});
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

// The reserve is larger than any disk here, so the log is below it from the start: writes are refused
// with NoSpace naming the reserve, reads keep working, and nothing refused is remembered as written.
// (Real ENOSPC and the automatic resume: full_disk_test.cc.)
TEST(EventLog, BelowTheFreeSpaceReserveWritesAreRefusedAndReadsServed) {
  TempDir dir;
  {
    auto log = MustOpen(Opts(dir.path()));
    EXPECT_TRUE(log->health().ok()) << log->health().ToString();
    ASSERT_TRUE(log->Append({MakeEvent("a", "u", 1), MakeEvent("b", "u", 2)}).ok());
  }
  auto o = Opts(dir.path());
  o.min_free_bytes = uint64_t{1} << 62;
  auto log = MustOpen(o);
  const Status health = log->health();
  EXPECT_EQ(health.code(), StatusCode::kNoSpace) << health.ToString();
  EXPECT_NE(health.message().find("min_free_bytes"), std::string::npos) << health.ToString();

  auto r = log->Append({MakeEvent("c", "u", 3)});
  EXPECT_EQ(r.status().code(), StatusCode::kNoSpace) << r.status().ToString();
  EXPECT_EQ(log->PutState("k", "v").code(), StatusCode::kNoSpace);
  EXPECT_EQ(ScanAll(*log).size(), 2u);
  EXPECT_EQ(log->stats().events, 2u);
  EXPECT_TRUE(log->GetState("k").ok());
  EXPECT_GE(log->stats().failed_writes, 1u);
  log->Close();
  EXPECT_EQ(log->health().code(), StatusCode::kUnavailable);

  auto reopened = MustOpen(Opts(dir.path()));
  auto again = reopened->Append({MakeEvent("c", "u", 3)});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->accepted, 1u);
  EXPECT_EQ(reopened->last_seq(), 3u);
}

TEST(EventLog, CloseCompletesQueuedAppends) {
  TempDir dir;
  auto log = MustOpen(Opts(dir.path()));
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) {
    log->AppendAsync({MakeEvent(Id("e", i), "u", i)}, [&](Result<AppendOutcome> r) {
      EXPECT_TRUE(r.ok());
      ++done;
    });
  }
  log->Close();
  EXPECT_EQ(done, 100);
  auto reopened = MustOpen(Opts(dir.path()));
  EXPECT_EQ(reopened->last_seq(), 100u);
}

TEST(EventLog, ReopenKeepsSeqCountersAndRejectsOtherPartitionCount) {
  TempDir dir;
  {
    auto log = MustOpen(Opts(dir.path()));
    ASSERT_TRUE(log->Append({MakeEvent("a", "u", 1), MakeEvent("b", "w", 2)}).ok());
  }
  auto o = Opts(dir.path());
  o.partitions = 8;
  auto bad = EventLog::Open(o);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("16 partitions"), std::string::npos) << bad.status().message();

  auto log = MustOpen(Opts(dir.path()));
  auto r = log->Append({MakeEvent("c", "u", 3)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seqs[0], 3u);
  const LogStats st = log->stats();
  EXPECT_EQ(st.events, 3u);
  EXPECT_EQ(st.first_seq, 1u);
  EXPECT_GT(st.logical_bytes, 0u);
  EXPECT_GT(st.disk_bytes, 0u);
}

TEST(EventLog, ReadOnlyOpenWorksBesideTheWriter) {
  TempDir dir;
  auto writer = MustOpen(Opts(dir.path()));
  ASSERT_TRUE(writer->Append({MakeEvent("a", "u", 1), MakeEvent("b", "v", 2)}).ok());
  EventLogOptions ro;
  ro.dir = dir.path();
  ro.read_only = true;
  ro.partitions = 3;  // ignored: a reader adopts the stored layout
  auto reader = MustOpen(ro);
  EXPECT_EQ(reader->partitions(), 16u);
  EXPECT_EQ(ScanAll(*reader).size(), 2u);
  EXPECT_EQ(reader->Append({MakeEvent("c", "u", 3)}).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(reader->PutState("k", "v").code(), StatusCode::kUnavailable);

  EventLogOptions missing;
  missing.dir = dir.path() + "/nope";
  missing.read_only = true;
  EXPECT_EQ(EventLog::Open(missing).status().code(), StatusCode::kNotFound);
}

// The committer writes each group in key order per column family (not seq order) and keeps by_time in a
// vector memtable: many groups with interleaved event times, read back before and after a reopen (which
// replays the WAL into fresh memtables), must still give dense seqs and exact event-time order.
TEST(EventLog, ManyGroupsWithInterleavedTimesReadBackInBothOrders) {
  TempDir dir;
  constexpr int kGroups = 40, kPerGroup = 50;
  auto check = [&](const EventLog& log) {
    const auto by_seq = ScanAll(log);
    ASSERT_EQ(by_seq.size(), size_t{kGroups * kPerGroup});
    for (size_t i = 0; i < by_seq.size(); ++i) {
      EXPECT_EQ(by_seq[i].seq, i + 1);
      EXPECT_EQ(by_seq[i].event.event_id, Id("e", i));
    }
    EventLog::ScanOptions so;
    so.order = EventLog::ScanOrder::kEventTime;
    const auto by_time = ScanAll(log, so);
    ASSERT_EQ(by_time.size(), by_seq.size());
    for (size_t i = 1; i < by_time.size(); ++i) {
      const auto& a = by_time[i - 1];
      const auto& b = by_time[i];
      EXPECT_TRUE(a.event.ts_ms < b.event.ts_ms || (a.event.ts_ms == b.event.ts_ms && a.seq < b.seq)) << i;
    }
  };
  {
    auto log = MustOpen(Opts(dir.path()));
    size_t n = 0;
    for (int g = 0; g < kGroups; ++g) {
      std::vector<Event> batch;
      for (int i = 0; i < kPerGroup; ++i, ++n) {
        // Times jump backwards and forwards across groups and repeat, users spread over partitions.
        const int64_t ts = static_cast<int64_t>((n * 7919) % 997) - 300;
        batch.push_back(MakeEvent(Id("e", n), Id("u", n % 37), ts));
      }
      ASSERT_TRUE(log->Append(batch).ok());
    }
    check(*log);
  }
  auto reopened = MustOpen(Opts(dir.path()));
  check(*reopened);
}

TEST(EventLog, RetentionByAgeRemovesAnIngestPrefix) {
  TempDir dir;
  auto o = Opts(dir.path());
  o.retention_ms = 60000;
  auto log = MustOpen(o);
  ASSERT_TRUE(log->Append({MakeEvent("a", "u", 1), MakeEvent("b", "v", 2)}).ok());
  const int64_t first_ingest = ScanAll(*log).front().ingest_ms;
  ASSERT_TRUE(log->ApplyRetention(first_ingest + 60000).ok());  // nothing is older than the cutoff yet
  EXPECT_EQ(log->stats().events, 2u);
  ASSERT_TRUE(log->ApplyRetention(first_ingest + 60001).ok());
  const LogStats st = log->stats();
  EXPECT_EQ(st.events, 0u);
  EXPECT_EQ(st.logical_bytes, 0u);
  EXPECT_EQ(st.last_seq, 2u);  // seqs are never reused
  EventLog::ScanOptions by_time;
  by_time.order = EventLog::ScanOrder::kEventTime;
  EXPECT_TRUE(ScanAll(*log, by_time).empty());  // the time index went with the events
  auto r = log->Append({MakeEvent("c", "u", 3)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seqs[0], 3u);
}

TEST(EventLog, RetentionBySizeKeepsTheNewestUnderTheBound) {
  TempDir dir;
  auto o = Opts(dir.path());
  auto log = MustOpen(o);
  std::vector<Event> batch;
  for (int i = 0; i < 25000; ++i) batch.push_back(MakeEvent(Id("e", i), Id("u", i % 100), i));
  ASSERT_TRUE(log->Append(batch).ok());
  const LogStats before = log->stats();
  log.reset();

  o.retention_bytes = before.logical_bytes / 5;  // keep about a fifth; crosses several delete chunks
  log = MustOpen(o);
  ASSERT_TRUE(log->ApplyRetention(NowMs()).ok());
  const LogStats after = log->stats();
  EXPECT_LE(after.logical_bytes, o.retention_bytes);
  EXPECT_GT(after.logical_bytes, o.retention_bytes * 9 / 10);
  const auto kept = ScanAll(*log);
  ASSERT_EQ(kept.size(), after.events);
  EXPECT_EQ(kept.back().seq, 25000u);
  EXPECT_EQ(kept.front().seq, after.first_seq);
  EXPECT_EQ(after.first_seq, 25000 - after.events + 1);  // exactly a prefix went
  uint64_t sum = 0;
  for (uint64_t c : after.partition_events) sum += c;
  EXPECT_EQ(sum, after.events);
  // The counters are durable: a reopen sees the same figures.
  log.reset();
  log = MustOpen(o);
  EXPECT_EQ(log->stats().logical_bytes, after.logical_bytes);
  EXPECT_EQ(log->stats().events, after.events);
}

TEST(EventLog, StateStorePutGetScanDeleteAndBatch) {
  TempDir dir;
  {
    auto log = MustOpen(Opts(dir.path()));
    ASSERT_TRUE(log->PutState("session/u1", "s1").ok());
    ASSERT_TRUE(log->PutState("session/u2", "s2").ok());
    ASSERT_TRUE(log->PutState("catalog/t1", "c1").ok());
    ASSERT_TRUE(log->WriteStateBatch({{"session/u3", "s3"}, {"session/u1", std::nullopt}}).ok());
  }
  auto log = MustOpen(Opts(dir.path()));
  auto v = log->GetState("session/u2");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value_or(""), "s2");
  v = log->GetState("session/u1");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
  std::vector<std::string> keys;
  ASSERT_TRUE(log->ScanState("session/", [&](std::string_view k, std::string_view) {
                   keys.emplace_back(k);
                   return true;
                 }).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"session/u2", "session/u3"}));
  ASSERT_TRUE(log->DeleteState("catalog/t1").ok());
  EXPECT_FALSE(log->GetState("catalog/t1")->has_value());
}

TEST(EventLog, QueueFullFailsFastWhileAGroupIsInFlight) {
  TempDir dir;
  auto o = Opts(dir.path());
  o.max_pending_events = 10;
  // The committer is held inside on_committed, so the first append stays in flight (and counted).
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  o.on_committed = [&, once = std::make_shared<std::once_flag>()](const std::vector<LoggedEvent>&) {
    std::call_once(*once, [&] {
      entered.set_value();
      released.wait();
    });
  };
  auto log = MustOpen(o);
  std::vector<Event> first;
  for (int i = 0; i < 6; ++i) first.push_back(MakeEvent(Id("a", i), "u", i));
  std::promise<Result<AppendOutcome>> first_done;
  log->AppendAsync(first, [&](Result<AppendOutcome> r) { first_done.set_value(std::move(r)); });
  entered.get_future().wait();

  std::vector<Event> second;
  for (int i = 0; i < 5; ++i) second.push_back(MakeEvent(Id("b", i), "u", i));
  bool inline_call = false;
  std::thread::id caller;
  log->AppendAsync(second, [&](Result<AppendOutcome> r) {
    inline_call = true;
    caller = std::this_thread::get_id();
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
    EXPECT_NE(r.status().message().find("append queue full (6 events pending)"), std::string::npos)
        << r.status().message();
  });
  EXPECT_TRUE(inline_call) << "back-pressure must answer before AppendAsync returns";
  EXPECT_EQ(caller, std::this_thread::get_id());
  release.set_value();
  Result<AppendOutcome> r = first_done.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 6u);
  EXPECT_EQ(ScanAll(*log).size(), 6u) << "the refused batch was written";
}

TEST(EventLog, FailedWriteFailsItsAppendAndEveryLaterOneUntilReopened) {
  TempDir dir;
  auto fs = std::make_shared<testing::FaultFileSystem>();
  std::unique_ptr<rocksdb::Env> env = testing::FaultEnv(fs);
  auto o = Opts(dir.path());
  o.env = env.get();
  std::vector<uint64_t> handed_over;  // seqs given to on_committed
  o.on_committed = [&](const std::vector<LoggedEvent>& group) {
    for (const LoggedEvent& e : group) handed_over.push_back(e.seq);
  };
  auto log = MustOpen(o);
  ASSERT_TRUE(log->Append({MakeEvent("ok", "u", 1)}).ok());
  fs->FailWrites(true);
  auto failed = log->Append({MakeEvent("lost", "u", 2)});
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError) << failed.status().ToString();
  fs->FailWrites(false);
  // RocksDB stops writing after a failed write: so does the log, with the same error, without queueing.
  auto refused = log->Append({MakeEvent("after", "u", 3)});
  EXPECT_EQ(refused.status().code(), StatusCode::kIoError) << refused.status().ToString();
  EXPECT_EQ(handed_over, std::vector<uint64_t>{1}) << "a failed group reached on_committed";
  log->Close();

  // A restart recovers: what was acknowledged is there, the failed event is not, appends work again.
  o.on_committed = nullptr;
  log = MustOpen(o);
  ASSERT_NE(log, nullptr);
  std::vector<LoggedEvent> all = ScanAll(*log);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].event.event_id, "ok");
  auto again = log->Append({MakeEvent("lost", "u", 2)});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->accepted, 1u) << "the failed event was never stored, so it is no duplicate";
}

// Overwrites the stored record of `seq` (whatever its partition) with bytes that do not decode.
void CorruptRecord(const std::string& dir, uint64_t seq) {
  testing::RawLogDb raw(dir);
  ASSERT_TRUE(raw.ok());
  rocksdb::ColumnFamilyHandle* events = raw.family("events");
  ASSERT_NE(events, nullptr);
  std::string key;
  {
    std::unique_ptr<rocksdb::Iterator> it(raw.db()->NewIterator({}, events));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (log_keys::EventKeySeq(std::string_view(it->key().data(), it->key().size())) == seq) key = it->key().ToString();
    }
  }
  ASSERT_FALSE(key.empty()) << "no record for seq " << seq;
  ASSERT_TRUE(raw.db()->Put({}, events, key, "\xff not a record").ok());
}

TEST(EventLog, CorruptRecordFailsOpenAndEndsAScanNamingIt) {
  TempDir dir;
  {
    auto log = MustOpen(Opts(dir.path()));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append({MakeEvent(Id("e", i), Id("u", i), i)}).ok());
  }
  ASSERT_NO_FATAL_FAILURE(CorruptRecord(dir.path(), 3));

  // Open rebuilds the de-dup window from the tail, which holds the record: a clear error, no guessing.
  auto opened = EventLog::Open(Opts(dir.path()));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(opened.status().message().find("seq 3"), std::string::npos) << opened.status().message();

  // A reader (no de-dup rebuild) gets the records before it, then the error.
  auto ro = Opts(dir.path());
  ro.read_only = true;
  auto reader = MustOpen(ro);
  ASSERT_NE(reader, nullptr);
  for (EventLog::ScanOrder order : {EventLog::ScanOrder::kSeq, EventLog::ScanOrder::kEventTime}) {
    std::vector<uint64_t> seen;
    EventLog::ScanOptions so;
    so.order = order;
    Status s = reader->Scan(so, [&](const LoggedEvent& e) {
      seen.push_back(e.seq);
      return true;
    });
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find("seq 3"), std::string::npos) << s.message();
    EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2}));
  }
}

TEST(EventLog, OpenRejectsBadOptions) {
  EventLogOptions o;
  EXPECT_EQ(EventLog::Open(o).status().code(), StatusCode::kInvalidArgument);
  TempDir dir;
  o.dir = dir.path();
  o.partitions = 0;
  EXPECT_EQ(EventLog::Open(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace segue
