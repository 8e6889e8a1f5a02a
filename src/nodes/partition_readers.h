// PartitionReaders: this node's processing of the partitions it owns (partition_ownership.h calls Take
// and Drop). One thread per owned partition, with its own Redis connections:
//
// 1. Take-over: read the partition's checkpoint and load its stored listeners into the tracker
//    (online_store.h; a listener's chunk replaces what the tracker held of it).
// 2. Join the consumer group (XGROUP CREATE ... 0 MKSTREAM; the group is created once, at the start of the
//    stream), claim every entry still pending for any consumer (XAUTOCLAIM, min idle 0: the lease, not the
//    idle time, says the previous reader is gone; its pending entries are exactly those it read but never
//    committed), then read new entries (XREADGROUP BLOCK). Entries come in offset order.
// 3. For each batch: events at or below the checkpoint are only acknowledged (a stored state covers them);
//    the others go to `apply` (the tracker, scoring, observers: synchronously, in offset order, on this
//    thread, which is the partition's only applier), then the listeners they touched are encoded and
//    committed with the batch's last offset and its entry ids (one fenced script: online_store.h), with
//    each touched listener's view (`view`: their latest score) when there is one.
//    Before applying a batch, the impressions other nodes served for the partition's listeners are drained
//    from segue:{p}:impressions into the impression sink (impression_stream.h), so the batch's plays meet
//    them; the commit trims what was drained. A new reader drains from the start: what its predecessor
//    drained but never committed is handed over again (the collector may then hold it twice).
//    An entry is acknowledged only after the state covering it is stored. With retain_events, the same
//    script trims the stream to the retain_events entries below the new checkpoint (a bounded buffer).
// Applying an event twice changes nothing: a replayed event is below the checkpoint (skipped here) or
// was never committed, in which case the stored state of its listener predates it and the tracker's
// per-listener offset check skips what the loaded session already holds.
// A commit refused for a lost lease stops the reader; a commit that failed on Redis is retried (it is
// idempotent: same chunks, a checkpoint that only grows, XACK) until it succeeds or Drop.
//
// Thread-safety: Take/Drop/Stop from one thread at a time (the ownership thread, then the application's).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bus/redis_client.h"
#include "common/metrics.h"
#include "events/event.h"
#include "impressions/impression_sink.h"

namespace segue {
class SessionTracker;
}

namespace segue::nodes {

struct ReaderOptions {
  std::string node_id;
  size_t batch_events = 500;  // XREADGROUP / XAUTOCLAIM COUNT
  int64_t block_ms = 100;     // XREADGROUP BLOCK: also how soon a Drop is noticed
  bus::WaitReplicas wait;     // for commits
  // Each commit trims the partition's stream to its newest retain_events entries at or below the new
  // checkpoint (kept for exports and late readers; those above it are untouched). 0: never trimmed.
  uint64_t retain_events = 0;
  int64_t view_ttl_ms = 30 * 60 * 1000;  // a stored view expires this long after its listener's last batch
};

class PartitionReaders {
 public:
  using Apply = std::function<void(const std::vector<LoggedEvent>&)>;
  // A listener's view to store beside their session (JSON); nullopt: none. Called on reader threads.
  using View = std::function<std::optional<std::string>(std::string_view user)>;

  // `tracker` outlives this; `apply` folds events into it (and whatever else reacts to them); `view` may
  // be empty (no views stored).
  PartitionReaders(ReaderOptions options, bus::RedisClientOptions redis, SessionTracker* tracker, Apply apply,
                   View view, metrics::Registry& registry);
  ~PartitionReaders();  // Stop()

  // Where drained impressions go (impression_stream.h); null: the impression streams are not read. Before
  // the first Take.
  void SetImpressionSink(impressions::ImpressionSink* sink) { impressions_ = sink; }

  void Take(const std::vector<uint32_t>& partitions);
  // Returns once the partitions' readers have stopped (their last commits done or refused); they stop
  // concurrently.
  void Drop(const std::vector<uint32_t>& partitions);
  void Stop();

 private:
  struct Reader;
  class Session;
  void Run(Reader& r);

  const ReaderOptions options_;
  const bus::RedisClientOptions redis_;
  SessionTracker* tracker_;
  const Apply apply_;
  const View view_;
  impressions::ImpressionSink* impressions_ = nullptr;
  std::map<uint32_t, std::unique_ptr<Reader>> readers_;

  metrics::Counter& applied_;
  metrics::Counter& skipped_;
  metrics::Counter& claimed_;
  metrics::Counter& commits_;
  metrics::Counter& loaded_;
};

}  // namespace segue::nodes
