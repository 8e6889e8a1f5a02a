// EventLog as a PartitionSource: per-partition reads after an offset, end offsets, the retention bound,
// and the migration of counters written before they existed.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "common/hash.h"
#include "common/time_util.h"
#include "log/event_log.h"
#include "raw_log_db.h"
#include "test_util.h"

namespace segue {
namespace {

using testing::Id;
using testing::MakeEvent;
using testing::TempDir;

constexpr uint32_t kPartitions = 4;

EventLogOptions Opts(const std::string& dir) {
  EventLogOptions o;
  o.dir = dir;
  o.sync = false;
  o.partitions = kPartitions;
  return o;
}

std::unique_ptr<EventLog> MustOpen(EventLogOptions o) {
  auto r = EventLog::Open(std::move(o));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

// 300 events of 50 listeners, in three appends.
void AppendStream(EventLog& log) {
  for (int b = 0; b < 3; ++b) {
    std::vector<Event> batch;
    for (int i = b * 100; i < (b + 1) * 100; ++i) batch.push_back(MakeEvent(Id("e", i), Id("u", i % 50), i));
    ASSERT_TRUE(log.Append(batch).ok());
  }
}

std::vector<uint64_t> Read(const EventLog& log, uint32_t p, uint64_t after) {
  std::vector<uint64_t> seqs;
  Status s = log.ReadPartition(p, after, [&](const LoggedEvent& e) {
    EXPECT_EQ(e.partition, p);
    seqs.push_back(e.seq);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return seqs;
}

PartitionOffsets Ends(const EventLog& log) {
  PartitionOffsets ends(log.partitions());
  for (uint32_t p = 0; p < log.partitions(); ++p) ends[p] = log.EndOffset(p).value();
  return ends;
}

PartitionOffsets Trimmed(const EventLog& log) {
  PartitionOffsets trimmed(log.partitions());
  for (uint32_t p = 0; p < log.partitions(); ++p) trimmed[p] = log.TrimmedOffset(p).value();
  return trimmed;
}

TEST(PartitionSource, ReadsOnePartitionAfterAnOffsetAndTracksItsEnd) {
  TempDir dir;
  auto log = MustOpen(Opts(dir.path()));
  EXPECT_EQ(Ends(*log), PartitionOffsets(kPartitions, 0));
  ASSERT_NO_FATAL_FAILURE(AppendStream(*log));
  std::map<uint32_t, std::vector<uint64_t>> expected;
  ASSERT_TRUE(log->Scan({}, [&](const LoggedEvent& e) { return expected[e.partition].push_back(e.seq), true; }).ok());
  ASSERT_EQ(expected.size(), kPartitions);
  for (const auto& [p, seqs] : expected) {
    EXPECT_EQ(Read(*log, p, 0), seqs);
    const uint64_t mid = seqs[seqs.size() / 2];
    EXPECT_EQ(Read(*log, p, mid), std::vector<uint64_t>(seqs.begin() + seqs.size() / 2 + 1, seqs.end()));
    EXPECT_TRUE(Read(*log, p, seqs.back()).empty());
    EXPECT_EQ(log->EndOffset(p).value(), seqs.back());
    size_t visited = 0;
    ASSERT_TRUE(log->ReadPartition(p, 0, [&](const LoggedEvent&) { return ++visited < 3; }).ok());
    EXPECT_EQ(visited, 3u);  // stops when the visitor says so
  }
  EXPECT_EQ(log->ReadPartition(kPartitions, 0, [](const LoggedEvent&) { return true; }).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(log->EndOffset(kPartitions).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->TrimmedOffset(kPartitions).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Trimmed(*log), PartitionOffsets(kPartitions, 0));

  // Durable, and unaffected by retention, which instead raises the trimmed offsets to the ends.
  const PartitionOffsets ends = Ends(*log);
  log.reset();
  auto o = Opts(dir.path());
  o.retention_bytes = 1;
  log = MustOpen(o);
  EXPECT_EQ(Ends(*log), ends);
  ASSERT_TRUE(log->ApplyRetention(NowMs()).ok());
  EXPECT_EQ(log->stats().events, 0u);
  EXPECT_EQ(Ends(*log), ends);
  EXPECT_EQ(Trimmed(*log), ends);
  for (uint32_t p = 0; p < kPartitions; ++p) EXPECT_TRUE(Read(*log, p, 0).empty());
}

// Rewrites meta/counters as version 1 wrote it: no trimmed seq, no end seqs.
void DowngradeCountersToV1(const std::string& dir) {
  testing::RawLogDb raw(dir);
  ASSERT_TRUE(raw.ok());
  rocksdb::ColumnFamilyHandle* meta = raw.family("meta");
  ASSERT_NE(meta, nullptr);
  std::string v2;
  ASSERT_TRUE(raw.db()->Get({}, meta, "counters", &v2).ok());
  ASSERT_EQ(v2.size(), 1 + 32 + 16 * kPartitions);
  ASSERT_EQ(v2[0], 2);
  // u8 version | last_seq | last_ingest_ms | logical_bytes | [trimmed_seq] | counts | [ends]
  const std::string v1 = std::string(1, '\x01') + v2.substr(1, 24) + v2.substr(33, 8 * kPartitions);
  ASSERT_TRUE(raw.db()->Put({}, meta, "counters", v1).ok());
}

TEST(PartitionSource, CountersOfVersionOneAreMigratedOnOpen) {
  TempDir dir;
  auto o = Opts(dir.path());
  PartitionOffsets ends, trimmed;
  {
    auto log = MustOpen(o);
    ASSERT_NO_FATAL_FAILURE(AppendStream(*log));
    auto sized = o;
    sized.retention_bytes = log->stats().logical_bytes * 2 / 3;  // drops about the oldest third
    log.reset();
    log = MustOpen(sized);
    ASSERT_TRUE(log->ApplyRetention(NowMs()).ok());
    ASSERT_GT(log->stats().first_seq, 1u);
    for (uint32_t p = 0; p < kPartitions; ++p) ASSERT_GT(log->stats().partition_events[p], 0u);
    ends = Ends(*log);
    trimmed = Trimmed(*log);
  }
  ASSERT_NO_FATAL_FAILURE(DowngradeCountersToV1(dir.path()));
  auto log = MustOpen(o);
  EXPECT_EQ(Ends(*log), ends);
  EXPECT_EQ(Trimmed(*log), trimmed);
  EXPECT_EQ(log->last_seq(), 300u);
  // The next write stores version 2 again; what it says is kept.
  auto r = log->Append({MakeEvent("late", "u7", 1000)});
  ASSERT_TRUE(r.ok());
  const uint32_t p7 = PartitionOf("u7", kPartitions);
  ends[p7] = r->seqs[0];
  log.reset();
  log = MustOpen(o);
  EXPECT_EQ(Ends(*log), ends);
  EXPECT_EQ(Trimmed(*log), trimmed);
}

}  // namespace
}  // namespace segue
