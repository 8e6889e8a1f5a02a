// Helpers shared by the bus tests: open the bus components on a fixture's URL, append synchronously, and
// read back every partition as event_id → how often it is stored.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bus/redis_bus_options.h"
#include "bus/redis_event_appender.h"
#include "bus/redis_partition_source.h"
#include "common/hash.h"
#include "tests/log/test_util.h"

namespace segue::bus::testing {

inline RedisBusOptions BusOptions(const std::string& url, int wait_replicas = 0) {
  RedisBusOptions options;
  options.url = url;
  options.partitions = 8;
  options.wait_replicas = wait_replicas;
  return options;
}

template <typename T>
std::unique_ptr<T> OpenOrFail(const RedisBusOptions& options) {
  Result<std::unique_ptr<T>> opened = T::Open(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

inline Result<AppendOutcome> AppendSync(EventAppender& appender, std::vector<Event> events) {
  std::promise<Result<AppendOutcome>> promise;
  appender.AppendAsync(std::move(events), [&](Result<AppendOutcome> r) { promise.set_value(std::move(r)); });
  return promise.get_future().get();
}

// `count` events of `users` listeners, ids prefix0, prefix1, ...; ts_ms grows with every event built in
// the process, so a listener's events must be stored in the order they were built.
inline std::vector<Event> Events(const std::string& prefix, int count, int users = 20) {
  static std::atomic<int64_t> ts{1'700'000'000'000};
  std::vector<Event> events;
  for (int i = 0; i < count; ++i) {
    events.push_back(segue::testing::MakeEvent(segue::testing::Id(prefix, i), segue::testing::Id("user-", i % users),
                                               ts++));
  }
  return events;
}

// Every stored event id with how often it occurs; checks offsets increase within each partition, that each
// event sits in its listener's partition, and that a listener's events are in append order (the test
// events' ts_ms grow with the order they are appended in).
inline std::map<std::string, int> StoredIds(const PartitionSource& source) {
  std::map<std::string, int> counts;
  for (uint32_t p = 0; p < source.partitions(); ++p) {
    uint64_t last = 0;
    std::map<std::string, int64_t> last_ts;
    Status s = source.ReadPartition(p, 0, [&](const LoggedEvent& e) {
      EXPECT_GT(e.seq, last);
      int64_t& ts = last_ts[e.event.user_id];
      EXPECT_GT(e.event.ts_ms, ts) << e.event.event_id << " stored after a later event of its listener";
      ts = e.event.ts_ms;
      EXPECT_EQ(e.partition, p);
      EXPECT_EQ(PartitionOf(e.event.user_id, source.partitions()), p);
      last = e.seq;
      ++counts[e.event.event_id];
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return counts;
}

}  // namespace segue::bus::testing
