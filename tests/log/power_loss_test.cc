// The fsync promise (event_log.h "Durability"): with sync = true an acknowledged event survives a power
// loss. A kill -9 cannot test that (the page cache survives it), so the log runs on a FaultFileSystem
// and the database is copied as a power loss would leave it: every file cut to what was last synced.
// The same run with sync = false must lose acknowledged events, or the model would prove nothing.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "fault_fs.h"
#include "log/event_log.h"
#include "test_util.h"

namespace segue {
namespace {

struct Outcome {
  std::map<uint64_t, std::string> acked;   // seq → event_id
  std::map<uint64_t, std::string> stored;  // what the log holds after the power loss
  bool dense = true;                       // stored seqs are 1..n with no gap
};

// Two threads append 3000 events (batches of 5), then the power goes out; reopens what survived.
Outcome AppendThenLosePower(bool sync) {
  testing::TempDir dir;
  const std::string live = dir.path() + "/live", after = dir.path() + "/after";
  auto fs = std::make_shared<testing::FaultFileSystem>();
  std::unique_ptr<rocksdb::Env> env = testing::FaultEnv(fs);
  Outcome out;
  {
    EventLogOptions o;
    o.dir = live;
    o.sync = sync;
    o.env = env.get();
    auto log = EventLog::Open(o);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    if (!log.ok()) return out;
    std::mutex mu;
    auto produce = [&](int thread) {
      for (int n = 0; n < 1500; n += 5) {
        std::vector<Event> batch;
        for (int k = n; k < n + 5; ++k) {
          batch.push_back(testing::MakeEvent(testing::Id("t", thread) + testing::Id("-", k), testing::Id("user", k % 37), k));
        }
        std::vector<std::string> ids;
        for (const Event& e : batch) ids.push_back(e.event_id);
        auto r = (*log)->Append(std::move(batch));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        std::lock_guard lock(mu);
        for (size_t k = 0; k < ids.size(); ++k) out.acked[r->seqs[k]] = ids[k];
      }
    };
    std::thread other(produce, 1);
    produce(0);
    other.join();
    fs->PowerLossCopy(live, after);
  }
  EventLogOptions o;
  o.dir = after;
  auto log = EventLog::Open(o);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  if (!log.ok()) return out;
  uint64_t expected_seq = 1;
  EXPECT_TRUE((*log)->Scan({}, [&](const LoggedEvent& e) {
                       out.dense &= e.seq == expected_seq++;
                       out.stored[e.seq] = e.event.event_id;
                       return true;
                     }).ok());
  return out;
}

TEST(EventLogPowerLoss, SyncedLogKeepsEveryAcknowledgedEvent) {
  const Outcome out = AppendThenLosePower(/*sync=*/true);
  ASSERT_EQ(out.acked.size(), 3000u);
  EXPECT_TRUE(out.dense);
  size_t lost = 0;
  for (const auto& [seq, id] : out.acked) {
    auto it = out.stored.find(seq);
    lost += it == out.stored.end() || it->second != id;
  }
  EXPECT_EQ(lost, 0u) << "of " << out.acked.size() << " acknowledged events";
}

TEST(EventLogPowerLoss, UnsyncedLogLosesAcknowledgedEvents) {
  const Outcome out = AppendThenLosePower(/*sync=*/false);
  ASSERT_EQ(out.acked.size(), 3000u);
  EXPECT_TRUE(out.dense) << "what survives is still a prefix";
  EXPECT_LT(out.stored.size(), out.acked.size()) << "the power-loss model dropped nothing unsynced";
}

}  // namespace
}  // namespace segue
