// ImpressionStore: impressions in a RocksDB of their own directory, written in batches by one background
// thread behind a bounded queue.
//
// What "durable" means here: an impression is durable once the background writer's batch containing it
// was written with a synced WAL (fsync before the write returns). Record only enqueues, so the response
// path never waits for the disk; what is still queued when the process dies (at most queue_capacity
// impressions, normally the last few milliseconds) is lost, and a full queue drops new impressions and
// counts them (segue_impressions_dropped_total). Closing the store (destructor) writes everything queued.
//
// Keys: [2 bytes: user id length, big-endian][user id][8 bytes: ts_ms big-endian][rec_id], so one listener's
// impressions are one contiguous key range in time order: found (ForEachOfListener) and deletable
// without scanning anyone else's. Values: the JSON of ImpressionToJson.
// Thread-safety: Record, Flush and ForEachOfListener are safe concurrently.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/metrics.h"
#include "common/status.h"
#include "impressions/impression_sink.h"

namespace rocksdb {
class DB;
}

namespace segue::impressions {

// The store's directory under the server's data directory (`segue log export --impressions` looks there).
inline constexpr char kImpressionsSubdir[] = "impressions";

struct ImpressionStoreOptions {
  std::string dir;
  size_t queue_capacity = 8192;  // impressions waiting for the writer; beyond it Record drops
  size_t max_batch = 512;        // impressions per synced write
};

class ImpressionStore : public ImpressionSink {
 public:
  // Creates options.dir (and its parents) when missing; starts the writer thread. Errors name the directory.
  static Result<std::unique_ptr<ImpressionStore>> Open(ImpressionStoreOptions options, metrics::Registry& registry);
  ~ImpressionStore() override;

  void Record(Impression impression) override;

  // Waits until everything recorded before the call was written (or failed). For tests and shutdown.
  void Flush();

  // Visits a listener's stored impressions (JSON) in time order until `visit` returns false.
  Status ForEachOfListener(std::string_view user_id, const std::function<bool(std::string_view json)>& visit) const;

  // Visits every stored impression (JSON) of the store in `dir`, opened read-only, so it works while a
  // server holds the store (it sees what had been written when it opened). For `segue log export`.
  static Status ExportAll(const std::string& dir, const std::function<bool(std::string_view json)>& visit);

  uint64_t dropped() const { return dropped_.value(); }

 private:
  ImpressionStore(ImpressionStoreOptions options, std::unique_ptr<rocksdb::DB> db, metrics::Registry& registry);
  void WriterLoop();
  void WriteImpressions(std::deque<Impression>* batch);

  const ImpressionStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  metrics::Counter& written_;
  metrics::Counter& dropped_;
  metrics::Counter& write_errors_;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Impression> queue_;
  uint64_t enqueued_ = 0;   // impressions accepted by Record
  uint64_t processed_ = 0;  // impressions whose batch write returned
  bool stop_ = false;
  std::thread writer_;
};

// The RocksDB key of an impression (layout above); exposed for tests.
std::string ImpressionKey(std::string_view user_id, int64_t ts_ms, std::string_view rec_id);

}  // namespace segue::impressions
