// A full disk, for real: the log lives on a 16 MiB tmpfs in a private mount namespace
// (tests/testing/private_tmpfs.h) and is appended to until the file system refuses. The log must refuse
// clearly (no abort), keep serving reads, resume by itself once space is freed (without a reopen), and
// hold every acknowledged event exactly once, before and after a reopen.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/time_util.h"
#include "log/event_log.h"
#include "test_util.h"
#include "tests/log/exactly_once.h"
#include "tests/testing/private_tmpfs.h"

namespace segue {
namespace {

using testing::ExpectExactlyOnce;

constexpr size_t kTmpfsBytes = 16u << 20;
constexpr size_t kFillerBytes = 4u << 20;  // deleted to "free space"
constexpr int kBatch = 200;

std::vector<Event> Batch(int b) {
  std::vector<Event> events;
  for (int i = 0; i < kBatch; ++i) {
    events.push_back(testing::MakeEvent(testing::Id(testing::Id("b", b) + "-", i), testing::Id("user", i % 50),
                                        NowMs(), EventType::kPlay));
    events.back().track_id.append(64, 'x');  // fill the disk in fewer batches
  }
  return events;
}

void WriteFiller(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  const std::string mb(1u << 20, 'f');
  for (size_t i = 0; i < kFillerBytes; i += mb.size()) out.write(mb.data(), static_cast<std::streamsize>(mb.size()));
  ASSERT_TRUE(out.good()) << "cannot write the filler file " << path;
}

enum class AfterFreeing {
  kResumeInPlace,   // space is freed while the log stays open: it must resume by itself
  kCloseWhileFull,  // the log is closed while the disk is full (a shutdown), reopened after freeing
};

// Appends until refused; then checks the refusal, reads, the recovery and the final contents.
void FillFreeAndResume(const std::string& mnt, uint64_t min_free_bytes, AfterFreeing after) {
  WriteFiller(mnt + "/filler");
  EventLogOptions o;
  o.dir = mnt + "/log";
  o.partitions = 4;
  o.sync = true;
  o.min_free_bytes = min_free_bytes;
  std::mutex changes_mu;
  std::vector<Status> changes;  // on_health_change calls
  o.on_health_change = [&](const Status& s) {
    std::lock_guard<std::mutex> lock(changes_mu);
    changes.push_back(s);
  };
  auto opened = EventLog::Open(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EventLog& log = **opened;
  ASSERT_TRUE(log.health().ok()) << log.health().ToString();

  std::vector<std::string> acked;
  Status refusal;
  int b = 0;
  for (; b < 100000; ++b) {
    std::vector<Event> batch = Batch(b);
    auto r = log.Append(batch);
    if (!r.ok()) {
      refusal = r.status();
      break;
    }
    ASSERT_EQ(r->accepted, static_cast<size_t>(kBatch));
    for (const Event& e : batch) acked.push_back(e.event_id);
  }
  ASSERT_FALSE(refusal.ok()) << "the tmpfs never filled up";
  ASSERT_GT(acked.size(), 0u) << "refused before anything was written: " << refusal.ToString();
  EXPECT_EQ(refusal.code(), StatusCode::kNoSpace) << refusal.ToString();
  EXPECT_NE(refusal.message().find(min_free_bytes > 0 ? "min_free_bytes" : "No space left"), std::string::npos)
      << refusal.ToString();

  // Refused again, the same clear way, for as long as the disk stays full (long enough for a few failed
  // recovery attempts); the health says why.
  for (int i = 0; i < 5; ++i) {
    auto r = log.Append(Batch(b));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNoSpace) << r.status().ToString();
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  }
  EXPECT_EQ(log.health().code(), StatusCode::kNoSpace) << log.health().ToString();

  // Reads keep working and see exactly the acknowledged events.
  ExpectExactlyOnce(log, acked);
  auto state = log.GetState("missing");
  EXPECT_TRUE(state.ok()) << state.status().ToString();

  if (after == AfterFreeing::kCloseWhileFull) {
    log.Close();  // must not abort, although RocksDB holds a failed WAL
    std::filesystem::remove(mnt + "/filler");
    auto reopened = EventLog::Open(o);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    ExpectExactlyOnce(**reopened, acked);
    std::vector<Event> batch = Batch(b);
    auto r = (*reopened)->Append(batch);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->accepted, static_cast<size_t>(kBatch)) << "the refused batch must not count as written";
    for (const Event& e : batch) acked.push_back(e.event_id);
    ExpectExactlyOnce(**reopened, acked);
    return;
  }

  // Free space: the log notices by itself, without a reopen.
  std::filesystem::remove(mnt + "/filler");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!log.health().ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(log.health().ok()) << "still refusing 30 s after space was freed: " << log.health().ToString();

  {
    std::lock_guard<std::mutex> lock(changes_mu);
    ASSERT_EQ(changes.size(), 2u) << "one change to refusing, one back";
    EXPECT_EQ(changes[0].code(), StatusCode::kNoSpace) << changes[0].ToString();
    EXPECT_TRUE(changes[1].ok());
  }

  // The refused batch is accepted in full on retry: its ids were not remembered as written.
  for (int k = b; k < b + 3; ++k) {
    std::vector<Event> batch = Batch(k);
    auto r = log.Append(batch);
    ASSERT_TRUE(r.ok()) << "batch " << k << ": " << r.status().ToString();
    EXPECT_EQ(r->accepted, static_cast<size_t>(kBatch));
    EXPECT_EQ(r->duplicates, 0u);
    for (const Event& e : batch) acked.push_back(e.event_id);
  }
  ExpectExactlyOnce(log, acked);

  log.Close();
  auto reopened = EventLog::Open(o);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  ExpectExactlyOnce(**reopened, acked);
}

// No reserve: RocksDB itself hits ENOSPC in the middle of a WAL write and must survive it.
TEST(EventLogFullDisk, RocksDbEnospcIsRefusedAndResumesAfterSpaceIsFreed) {
  if (const char* mnt = test_support::PrivateTmpfsDir()) {
    return FillFreeAndResume(mnt, 0, AfterFreeing::kResumeInPlace);
  }
  test_support::TmpfsRun run = test_support::RerunInPrivateTmpfs(kTmpfsBytes);
  if (!run.skip_reason.empty()) GTEST_SKIP() << run.skip_reason;
  EXPECT_TRUE(run.passed) << run.outcome;
}

// A reserve: appends are refused while free space is below min_free_bytes, before RocksDB sees ENOSPC.
TEST(EventLogFullDisk, ReserveRefusesBeforeTheDiskIsFullAndResumes) {
  if (const char* mnt = test_support::PrivateTmpfsDir()) {
    return FillFreeAndResume(mnt, 6u << 20, AfterFreeing::kResumeInPlace);
  }
  test_support::TmpfsRun run = test_support::RerunInPrivateTmpfs(kTmpfsBytes);
  if (!run.skip_reason.empty()) GTEST_SKIP() << run.skip_reason;
  EXPECT_TRUE(run.passed) << run.outcome;
}

// A shutdown while RocksDB is stopped on ENOSPC, and a restart once space is back.
TEST(EventLogFullDisk, CloseWhileFullAndReopenAfterFreeingLosesNothing) {
  if (const char* mnt = test_support::PrivateTmpfsDir()) {
    return FillFreeAndResume(mnt, 0, AfterFreeing::kCloseWhileFull);
  }
  test_support::TmpfsRun run = test_support::RerunInPrivateTmpfs(kTmpfsBytes);
  if (!run.skip_reason.empty()) GTEST_SKIP() << run.skip_reason;
  EXPECT_TRUE(run.passed) << run.outcome;
}

}  // namespace
}  // namespace segue
