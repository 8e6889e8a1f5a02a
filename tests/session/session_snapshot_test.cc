#include "session/session_snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "catalog/catalog.h"
#include "common/time_util.h"
#include "log/event_log.h"
#include "session/event_observer.h"
#include "session/session_codec.h"
#include "session/session_test_util.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

using testing::Ev;
using testing::Name;
using testing::kMin;
using testing::kSec;

// A deterministic stream touching every event type, several users, timeouts, exits and late events.
std::vector<Event> Stream(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Event> out;
  std::map<int, int64_t> clock;  // per user
  const EventType types[] = {EventType::kPlay,   EventType::kPlay,  EventType::kSkip,   EventType::kComplete,
                             EventType::kPause,  EventType::kResume, EventType::kSeek,  EventType::kSearch,
                             EventType::kLike,   EventType::kDislike, EventType::kExit};
  for (size_t i = 0; i < n; ++i) {
    const int user = static_cast<int>(rng() % 7);
    int64_t& t = clock[user];
    const uint32_t r = rng() % 100;
    t += r < 3 ? 40 * kMin : r < 8 ? -5 * kSec : r < 10 ? -30 * kSec : static_cast<int64_t>(rng() % 90) * kSec;
    const EventType type = types[rng() % std::size(types)];
    Event e = Ev(type, t, EventTypeNeedsTrack(type) ? Name("t", rng() % 12) : "",
                 static_cast<int64_t>(rng() % 200'000), Name("user", user));
    e.event_id += Name("-", i);
    if (type == EventType::kPlay && rng() % 4 == 0) e.context.rec_id = "rec";
    out.push_back(std::move(e));
  }
  return out;
}

void ExpectSameTrackers(const SessionTracker& a, const SessionTracker& b) {
  EXPECT_EQ(a.active_sessions(), b.active_sessions());
  EXPECT_EQ(a.profiles(), b.profiles());
  for (uint32_t shard = 0; shard < a.shard_count(); ++shard) {
    a.ForEachSession(shard, [&](const SessionState& s) {
      auto other = b.Get(s.user_id);
      ASSERT_TRUE(other.has_value()) << s.user_id;
      EXPECT_EQ(s, *other) << s.user_id;
    });
    a.ForEachProfile(shard, [&](std::string_view user, const UserProfile& p) {
      auto other = b.GetProfile(user);
      ASSERT_TRUE(other.has_value()) << user;
      EXPECT_EQ(p, *other) << user;
    });
  }
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 12; i += 2) {
      Track t;
      t.track_id = Name("t", i);
      t.artist = Name("artist", i % 3);
      t.genres = {i % 4 == 0 ? "rock" : "pop"};
      t.duration_ms = 180'000;
      catalog_.Upsert(t);
    }
  }
  Catalog catalog_;
};

TEST_F(SnapshotTest, CodecRoundTripsSessionsAndProfiles) {
  SessionTrackerOptions options;
  options.shards = 4;
  SessionTracker a(&catalog_, options);
  uint64_t seq = 0;
  for (const Event& e : Stream(3000, 1)) a.Apply(e, ++seq);
  a.EvictIdle(a.watermark_ms() - 20 * kMin);  // some listeners only have a parked profile
  ASSERT_GT(a.profiles(), 0u);
  ASSERT_GT(a.active_sessions(), 0u);

  SessionTracker b(&catalog_, SessionTrackerOptions{});  // another shard count on purpose
  std::string chunk;
  size_t records = 0;
  for (uint32_t shard = 0; shard < a.shard_count(); ++shard) {
    records += EncodeSessionShard(a, shard, &chunk);
    ASSERT_TRUE(DecodeSessionChunk(chunk, &b).ok());
  }
  EXPECT_EQ(records, a.active_sessions() + a.profiles());
  ExpectSameTrackers(a, b);
}

// The online store keeps one chunk per listener: encoding every listener one by one (sessions and parked
// profiles) restores the same tracker, and an unknown listener is a valid empty chunk.
TEST_F(SnapshotTest, PerListenerChunksRoundTrip) {
  SessionTracker a(&catalog_, SessionTrackerOptions{.shards = 4});
  uint64_t seq = 0;
  for (const Event& e : Stream(3000, 3)) a.Apply(e, ++seq);
  a.EvictIdle(a.watermark_ms() - 20 * kMin);
  ASSERT_GT(a.profiles(), 0u);
  ASSERT_GT(a.active_sessions(), 0u);

  SessionTracker b(&catalog_, SessionTrackerOptions{});
  std::string chunk;
  for (int user = 0; user < 7; ++user) {
    ASSERT_TRUE(EncodeListener(a, Name("user", user), &chunk)) << user;
    ASSERT_TRUE(DecodeSessionChunk(chunk, &b).ok()) << user;
  }
  ExpectSameTrackers(a, b);

  EXPECT_FALSE(EncodeListener(a, "nobody", &chunk));
  SessionTracker c(&catalog_);
  EXPECT_TRUE(DecodeSessionChunk(chunk, &c).ok());
  EXPECT_EQ(c.active_sessions() + c.profiles(), 0u);
}

TEST_F(SnapshotTest, CorruptChunksAreRejectedWhole) {
  SessionTracker a(&catalog_, SessionTrackerOptions{.shards = 1});
  for (const Event& e : Stream(200, 2)) a.Apply(e);
  std::string chunk;
  EncodeSessionShard(a, 0, &chunk);
  for (size_t cut : {size_t{0}, size_t{3}, size_t{9}, chunk.size() / 2, chunk.size() - 1}) {
    SessionTracker b(&catalog_);
    Status st = DecodeSessionChunk(std::string_view(chunk).substr(0, cut), &b);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << cut;
    EXPECT_EQ(b.active_sessions(), 0u) << cut;
  }
  SessionTracker b(&catalog_);
  EXPECT_EQ(DecodeSessionChunk(chunk + "x", &b).code(), StatusCode::kCorruption);
  std::string bad_version = chunk;
  bad_version[4] = 9;
  Status st = DecodeSessionChunk(bad_version, &b);
  EXPECT_NE(st.message().find("version"), std::string::npos) << st.message();
}

// Regression for a fuzz/session_codec finding: a corrupt track-table count (here 0xffffffff, in a chunk
// with no room for even one entry) sized a 16 GB allocation instead of being reported as corruption.
TEST_F(SnapshotTest, TrackTableCountBeyondTheChunkIsCorruption) {
  SessionTracker a(&catalog_, SessionTrackerOptions{.shards = 1});
  std::string chunk;
  EncodeSessionShard(a, 0, &chunk);
  uint64_t table_offset = 0;
  std::memcpy(&table_offset, chunk.data() + 8, sizeof(table_offset));
  chunk.replace(table_offset, 4, "\xff\xff\xff\xff");
  SessionTracker b(&catalog_);
  Status st = DecodeSessionChunk(chunk, &b);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("track table count"), std::string::npos) << st.message();
}

TEST_F(SnapshotTest, SmallerRingOnRestoreKeepsNewestPlays) {
  SessionTracker a(&catalog_);
  for (int i = 0; i < 10; ++i) a.Apply(Ev(EventType::kPlay, i * kSec, Name("t", i)));
  SessionTracker b(&catalog_, SessionTrackerOptions{.max_plays = 3});
  std::string chunk;
  for (uint32_t s = 0; s < a.shard_count(); ++s) {
    EncodeSessionShard(a, s, &chunk);
    ASSERT_TRUE(DecodeSessionChunk(chunk, &b).ok());
  }
  auto s = b.Get("u1");
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->plays.size(), 3u);
  EXPECT_EQ(s->plays.back().track, catalog_.FindTrack("t9"));
}

class LogSnapshotTest : public SnapshotTest {
 protected:
  void SetUp() override {
    SnapshotTest::SetUp();
    std::string name = Name("segue_session_snapshot_", ::getpid());
    name += '_';
    name += ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<EventLog> OpenLog() {
    EventLogOptions options;
    options.dir = dir_.string();
    options.sync = false;
    auto log = EventLog::Open(options);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // A watermark at global seq `seq` of the embedded log, as per-partition offsets.
  static PartitionOffsets Covered(const EventLog& log, uint64_t seq) { return PartitionOffsets(log.partitions(), seq); }
  static PartitionOffsets Ends(const EventLog& log) {
    PartitionOffsets ends(log.partitions());
    for (uint32_t p = 0; p < log.partitions(); ++p) ends[p] = log.EndOffset(p).value();
    return ends;
  }

  std::filesystem::path dir_;
};

TEST_F(LogSnapshotTest, RestoreEqualsNeverRestarting) {
  const std::vector<Event> events = Stream(4000, 3);
  SessionTracker live(&catalog_, SessionTrackerOptions{.shards = 8});
  {
    auto log = OpenLog();
    ASSERT_NE(log, nullptr);
    const std::vector<Event> first(events.begin(), events.begin() + 2500);
    ASSERT_TRUE(log->Append(first).ok());
    ASSERT_TRUE(log->Scan({}, [&](const LoggedEvent& e) { return live.Apply(e), true; }).ok());
    live.EvictIdle(live.watermark_ms());
    auto first_save = SaveSnapshot(live, *log, Covered(*log, 2500));
    ASSERT_TRUE(first_save.ok()) << first_save.status().ToString();
    EXPECT_EQ(first_save->offsets, Covered(*log, 2500));
    EXPECT_EQ(first_save->generation, 1u);
    // A second snapshot replaces the first (and the tail after it is replayed on restore).
    const std::vector<Event> mid(events.begin() + 2500, events.begin() + 3000);
    ASSERT_TRUE(log->Append(mid).ok());
    EventLog::ScanOptions from;
    from.from_seq = 2501;
    ASSERT_TRUE(log->Scan(from, [&](const LoggedEvent& e) { return live.Apply(e), true; }).ok());
    auto info = SaveSnapshot(live, *log, Covered(*log, 3000));
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->generation, 2u);
    EXPECT_EQ(info->records, live.active_sessions() + live.profiles());
    size_t keys = 0;
    ASSERT_TRUE(log->ScanState("session/snapshot/", [&](std::string_view, std::string_view) { return ++keys, true; }).ok());
    EXPECT_EQ(keys, 1u + live.shard_count());  // the old generation is gone

    const std::vector<Event> tail(events.begin() + 3000, events.end());
    ASSERT_TRUE(log->Append(tail).ok());
    from.from_seq = 3001;
    ASSERT_TRUE(log->Scan(from, [&](const LoggedEvent& e) { return live.Apply(e), true; }).ok());
  }
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  SessionTracker restored(&catalog_, SessionTrackerOptions{.shards = 8});
  auto report = RestoreSessions(restored, *log, *log);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->snapshot_found);
  EXPECT_EQ(report->snapshot_version, 2u);
  EXPECT_EQ(report->snapshot_offsets, Covered(*log, 3000));
  EXPECT_EQ(report->replayed, 1000u);
  PartitionOffsets folded = Ends(*log);  // a partition without events after the snapshot stays at its offset
  for (uint64_t& o : folded) o = std::max<uint64_t>(o, 3000);
  EXPECT_EQ(report->offsets, folded);
  EXPECT_TRUE(report->trimmed.empty());
  ExpectSameTrackers(live, restored);
  ExpectSameTrackers(restored, live);
}

TEST_F(LogSnapshotTest, RestoreWithoutSnapshotReplaysWholeLog) {
  const std::vector<Event> events = Stream(500, 4);
  SessionTracker live(&catalog_);
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(events).ok());
  ASSERT_TRUE(log->Scan({}, [&](const LoggedEvent& e) { return live.Apply(e), true; }).ok());
  SessionTracker restored(&catalog_);
  auto report = RestoreSessions(restored, *log, *log);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->snapshot_found);
  EXPECT_EQ(report->replayed, 500u);
  ExpectSameTrackers(live, restored);
}

// What an observer of the replayed tail is handed: exactly the events after the snapshot that the tracker
// applied, in order, with the outcomes the live tracker had for them.
TEST_F(LogSnapshotTest, ObserversSeeTheReplayedTailWithItsOutcomes) {
  struct Recorder : EventObserver {
    void OnEventApplied(const LoggedEvent& e, const ApplyOutcome& o) override { seen.emplace_back(e.seq, o); }
    std::vector<std::pair<uint64_t, ApplyOutcome>> seen;
  };
  const std::vector<Event> events = Stream(1000, 5);
  SessionTracker live(&catalog_);
  std::vector<std::pair<uint64_t, ApplyOutcome>> expected;
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(std::vector<Event>(events.begin(), events.begin() + 600)).ok());
  ASSERT_TRUE(log->Scan({}, [&](const LoggedEvent& e) { return live.Apply(e), true; }).ok());
  ASSERT_TRUE(SaveSnapshot(live, *log, Covered(*log, 600)).ok());
  ASSERT_TRUE(log->Append(std::vector<Event>(events.begin() + 600, events.end())).ok());
  EventLog::ScanOptions tail;
  tail.from_seq = 601;
  ASSERT_TRUE(log->Scan(tail, [&](const LoggedEvent& e) {
                    const ApplyOutcome o = live.Apply(e);
                    if (o.applied) expected.emplace_back(e.seq, o);
                    return true;
                  }).ok());
  Recorder recorder;
  SessionTracker restored(&catalog_);
  auto report = RestoreSessions(restored, *log, *log, {&recorder});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->replayed, 400u);
  // Partition by partition: each listener's events in order, the partitions one after another.
  std::sort(recorder.seen.begin(), recorder.seen.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  ASSERT_EQ(recorder.seen.size(), expected.size());
  EXPECT_LT(expected.size(), 400u);  // the stream has late events the tracker does not apply
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(recorder.seen[i].first, expected[i].first);
    EXPECT_EQ(recorder.seen[i].second.new_session, expected[i].second.new_session) << expected[i].first;
    EXPECT_EQ(recorder.seen[i].second.session_ended, expected[i].second.session_ended) << expected[i].first;
    EXPECT_EQ(recorder.seen[i].second.how, expected[i].second.how) << expected[i].first;
  }
}

// A snapshot whose partitions are at different offsets (the pipeline applies partitions independently):
// restore replays each partition after its own offset and ends where never restarting would be.
TEST_F(LogSnapshotTest, RestoreAfterASnapshotWithPartitionsAtDifferentOffsets) {
  const std::vector<Event> events = Stream(3000, 6);
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(events).ok());
  std::vector<std::vector<LoggedEvent>> by_partition(log->partitions());
  for (uint32_t p = 0; p < log->partitions(); ++p) {
    ASSERT_TRUE(log->ReadPartition(p, 0, [&](const LoggedEvent& e) { return by_partition[p].push_back(e), true; }).ok());
  }
  // Live: partitions applied last to first (out of global order), each cut at its own point.
  SessionTracker live(&catalog_);
  PartitionOffsets covered(log->partitions(), 0);
  std::vector<size_t> cut(log->partitions());
  size_t before_snapshot = 0;
  for (uint32_t p = log->partitions(); p-- > 0;) {
    cut[p] = by_partition[p].size() * (1 + p % 3) / 4;
    for (size_t i = 0; i < cut[p]; ++i) live.Apply(by_partition[p][i]);
    if (cut[p] > 0) covered[p] = by_partition[p][cut[p] - 1].seq;
    before_snapshot += cut[p];
  }
  ASSERT_GT(std::set<uint64_t>(covered.begin(), covered.end()).size(), 2u) << "the offsets should differ";
  ASSERT_TRUE(SaveSnapshot(live, *log, covered).ok());
  for (uint32_t p = 0; p < log->partitions(); ++p) {
    for (size_t i = cut[p]; i < by_partition[p].size(); ++i) live.Apply(by_partition[p][i]);
  }

  SessionTracker restored(&catalog_);
  auto report = RestoreSessions(restored, *log, *log);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->snapshot_offsets, covered);
  EXPECT_EQ(report->replayed, events.size() - before_snapshot);
  ExpectSameTrackers(live, restored);
  ExpectSameTrackers(restored, live);
}

// A data dir written before issue #12 holds a version-1 meta (one global seq S). It reads as offsets all
// = S, exact because seqs were global: every event with seq <= S, whatever its partition, was folded in.
TEST_F(LogSnapshotTest, VersionOneMetaReadsAsEveryPartitionAtItsSeq) {
  const std::vector<Event> events = Stream(1000, 7);
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(events).ok());
  SessionTracker live(&catalog_);
  EventLog::ScanOptions upto;
  ASSERT_TRUE(log->Scan(upto, [&](const LoggedEvent& e) { return e.seq <= 600 && (live.Apply(e), true); }).ok());
  auto saved = SaveSnapshot(live, *log, Covered(*log, 600));
  ASSERT_TRUE(saved.ok());
  // The meta as version 1 wrote it: "SGSM" | u32 1 | u64 generation | u64 seq | u32 chunks.
  std::string v1 = "SGSM";
  const uint32_t version = 1, chunks = live.shard_count();
  const uint64_t generation = saved->generation, seq = 600;
  v1.append(reinterpret_cast<const char*>(&version), 4);
  v1.append(reinterpret_cast<const char*>(&generation), 8);
  v1.append(reinterpret_cast<const char*>(&seq), 8);
  v1.append(reinterpret_cast<const char*>(&chunks), 4);
  ASSERT_TRUE(log->PutState("session/snapshot/meta", v1).ok());
  upto.from_seq = 601;
  ASSERT_TRUE(log->Scan(upto, [&](const LoggedEvent& e) { return live.Apply(e), true; }).ok());

  SessionTracker restored(&catalog_);
  auto report = RestoreSessions(restored, *log, *log);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->snapshot_version, 1u);
  EXPECT_EQ(report->snapshot_offsets, Covered(*log, 600));
  EXPECT_EQ(report->replayed, 400u);
  ExpectSameTrackers(live, restored);
  ExpectSameTrackers(restored, live);
  // The next save writes version 2.
  ASSERT_TRUE(SaveSnapshot(restored, *log, report->offsets).ok());
  SessionTracker again(&catalog_);
  auto next = RestoreSessions(again, *log, *log);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->snapshot_version, 2u);
  EXPECT_EQ(next->replayed, 0u);
}

// Retention removed events of the tail after the snapshot: the restore says which partitions may have lost
// some instead of passing silently.
TEST_F(LogSnapshotTest, RestoreReportsATailTrimmedByRetention) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(Stream(200, 8)).ok());
  SessionTracker t(&catalog_);
  ASSERT_TRUE(SaveSnapshot(t, *log, Covered(*log, 0)).ok());
  log.reset();
  EventLogOptions options;
  options.dir = dir_.string();
  options.sync = false;
  options.retention_bytes = 1;  // everything goes
  auto trimmed = EventLog::Open(options);
  ASSERT_TRUE(trimmed.ok());
  ASSERT_TRUE((*trimmed)->ApplyRetention(NowMs()).ok());
  SessionTracker restored(&catalog_);
  auto report = RestoreSessions(restored, **trimmed, **trimmed);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->replayed, 0u);
  ASSERT_FALSE(report->trimmed.empty());
  for (const TrimmedTail& tail : report->trimmed) {
    EXPECT_EQ(tail.after, 0u);
    EXPECT_EQ(tail.through, (*trimmed)->EndOffset(tail.partition).value());
  }
}

TEST_F(LogSnapshotTest, CorruptSnapshotIsAnError) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->PutState("session/snapshot/meta", "garbage").ok());
  SessionTracker t(&catalog_);
  auto report = RestoreSessions(t, *log, *log);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace segue
