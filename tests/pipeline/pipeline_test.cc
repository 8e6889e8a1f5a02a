#include "pipeline/pipeline.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace segue {
namespace {

// A group of `n` events with seqs from `first`, spread over `partitions` partitions round-robin.
std::vector<LoggedEvent> Group(uint64_t first, size_t n, uint32_t partitions) {
  std::vector<LoggedEvent> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].seq = first + i;
    out[i].partition = static_cast<uint32_t>((first + i) % partitions);
    out[i].event.user_id = std::to_string(out[i].partition);  // one listener per partition
  }
  return out;
}

TEST(PipelineTest, EveryEventIsConsumedOnceInOrderPerPartitionByOneThread) {
  metrics::Registry registry;
  std::mutex mu;
  std::map<uint32_t, std::vector<uint64_t>> seen;        // partition -> seqs in consumption order
  std::map<uint32_t, std::thread::id> owner;             // partition -> the thread that consumed it
  bool shared_partition = false;
  PipelineOptions o;
  o.workers = 3;
  o.queue_events = 64;
  Pipeline pipeline(o, [&](const std::vector<LoggedEvent>& events) {
    std::lock_guard lock(mu);
    for (const LoggedEvent& e : events) {
      seen[e.partition].push_back(e.seq);
      auto [it, inserted] = owner.emplace(e.partition, std::this_thread::get_id());
      if (!inserted && it->second != std::this_thread::get_id()) shared_partition = true;
    }
  }, PartitionOffsets(16, 0), registry);
  uint64_t seq = 1;
  for (int g = 0; g < 200; ++g) {
    const size_t n = 1 + g % 50;
    pipeline.Dispatch(Group(seq, n, 16));
    seq += n;
  }
  pipeline.Stop();
  size_t total = 0;
  for (const auto& [partition, seqs] : seen) {
    EXPECT_EQ(pipeline.applied_offsets()[partition], seqs.back());
    total += seqs.size();
    for (size_t i = 1; i < seqs.size(); ++i) ASSERT_LT(seqs[i - 1], seqs[i]) << "partition " << partition;
  }
  EXPECT_EQ(total, seq - 1);
  EXPECT_FALSE(shared_partition);
}

bool WaitFor(const std::atomic<bool>& flag) {
  for (int i = 0; i < 1000 && !flag.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return flag.load();
}

// Each partition has its own watermark: a blocked partition holds back only its own readers, and
// partitions are applied out of global order (partition 1 reaches 13 while partition 0 is still at 10).
TEST(PipelineTest, PartitionsAdvanceIndependently) {
  metrics::Registry registry;
  std::atomic<bool> release{false};
  PipelineOptions o;
  o.workers = 2;
  // Worker 0 (even partitions) blocks until released; worker 1 runs freely.
  Pipeline pipeline(o, [&](const std::vector<LoggedEvent>& events) {
    if (events.front().partition % 2 == 0) {
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }, PartitionOffsets{10, 10}, registry);
  EXPECT_EQ(pipeline.applied_offsets(), (PartitionOffsets{10, 10}));
  pipeline.Dispatch(Group(11, 4, 2));  // 11, 13 -> partition 1 (worker 1); 12, 14 -> partition 0 (worker 0)
  std::atomic<bool> fired0{false}, fired1{false};
  pipeline.WhenApplied(0, 14, [&] { fired0 = true; });
  pipeline.WhenApplied(1, 13, [&] { fired1 = true; });
  EXPECT_TRUE(WaitFor(fired1)) << "partition 1 waited for partition 0";
  EXPECT_EQ(pipeline.applied_offsets()[1], 13u);
  EXPECT_EQ(pipeline.applied_offsets()[0], 10u) << "the watermark passed an event still being consumed";
  EXPECT_FALSE(fired0.load());
  release = true;
  EXPECT_TRUE(WaitFor(fired0));
  EXPECT_EQ(pipeline.applied_offsets(), (PartitionOffsets{14, 13}));
  // Already reached: runs inline.
  bool inline_ran = false;
  pipeline.WhenApplied(0, 5, [&] { inline_ran = true; });
  EXPECT_TRUE(inline_ran);
}

// A bus delivers each partition from its own reader: offsets grow within a partition only. Dispatch
// accepts a partition's events at offsets below what another partition already had.
TEST(PipelineTest, AcceptsPartitionsInAnyRelativeOrder) {
  metrics::Registry registry;
  std::mutex mu;
  std::vector<uint64_t> seen;
  Pipeline pipeline({}, [&](const std::vector<LoggedEvent>& events) {
    std::lock_guard lock(mu);
    for (const LoggedEvent& e : events) seen.push_back(e.seq);
  }, PartitionOffsets(3, 0), registry);
  auto event = [](uint32_t partition, uint64_t offset) {
    LoggedEvent e;
    e.partition = partition;
    e.seq = offset;
    return e;
  };
  pipeline.Dispatch({event(2, 500), event(2, 501)});
  pipeline.Dispatch({event(0, 7)});
  pipeline.Dispatch({event(1, 90), event(0, 8)});
  std::atomic<bool> fired{false};
  pipeline.WhenApplied(0, 8, [&] { fired = true; });
  EXPECT_TRUE(WaitFor(fired));
  pipeline.Stop();
  EXPECT_EQ(pipeline.applied_offsets(), (PartitionOffsets{8, 90, 501}));
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(pipeline.consumed_events(), 5u);
}

// A partition's watermark reaches its last dispatched offset with nothing more dispatched, however the
// worker's finish interleaves with Dispatch (the dispatched offset is recorded under the worker's lock
// with the queue push). Without this, a read-your-writes request on an idle server waits for the next
// event. A race would need the committer to lose its core mid-dispatch, so many single-event groups are tried.
TEST(PipelineTest, WatermarkCatchesUpWithoutAnotherDispatch) {
  metrics::Registry registry;
  PipelineOptions o;
  o.workers = 2;
  Pipeline pipeline(o, [](const std::vector<LoggedEvent>&) {}, PartitionOffsets(4, 0), registry);
  for (uint64_t seq = 1; seq <= 3000; ++seq) {
    pipeline.Dispatch(Group(seq, 1, 4));
    const auto p = static_cast<uint32_t>(seq % 4);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (pipeline.applied_offsets()[p] < seq && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_EQ(pipeline.applied_offsets()[p], seq) << "the watermark stalled one group behind";
  }
}

TEST(PipelineTest, AFullQueueStallsDispatchInsteadOfGrowing) {
  metrics::Registry registry;
  std::atomic<bool> release{false};
  std::atomic<size_t> consumed{0};
  PipelineOptions o;
  o.workers = 1;
  o.queue_events = 10;
  Pipeline pipeline(o, [&](const std::vector<LoggedEvent>& events) {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    consumed += events.size();
  }, PartitionOffsets(1, 0), registry);
  pipeline.Dispatch(Group(1, 5, 1));   // taken by the worker, which blocks on it
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  pipeline.Dispatch(Group(6, 10, 1));  // fills the queue
  std::atomic<bool> third_returned{false};
  std::thread producer([&] {
    pipeline.Dispatch(Group(16, 5, 1));  // must wait for room
    third_returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(third_returned.load()) << "Dispatch queued beyond queue_events";
  EXPECT_NE(registry.RenderText().find("segue_pipeline_worker0_queued_events 10\n"), std::string::npos);
  release = true;
  producer.join();
  pipeline.Stop();
  EXPECT_EQ(consumed.load(), 20u);
  EXPECT_EQ(pipeline.applied_offsets()[0], 20u);
  EXPECT_NE(registry.RenderText().find("segue_pipeline_lag_events 0\n"), std::string::npos);
}

TEST(PipelineTest, StopRunsPendingWaitersAndLaterDispatchesConsumeInline) {
  metrics::Registry registry;
  std::atomic<size_t> consumed{0};
  Pipeline pipeline({}, [&](const std::vector<LoggedEvent>& events) { consumed += events.size(); },
                    PartitionOffsets(4, 0), registry);
  bool waited = false;
  pipeline.WhenApplied(2, 1000, [&] { waited = true; });  // never reached
  pipeline.Stop();
  EXPECT_TRUE(waited);
  pipeline.Dispatch(Group(1, 3, 4));
  EXPECT_EQ(consumed.load(), 3u);
}

}  // namespace
}  // namespace segue
