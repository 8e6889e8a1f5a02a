// TrackIndexer: keeps the served two-tower index in step with the catalog (issue #10 §5), so a track
// posted while serving becomes a retrieval candidate.
//
//  - OnTracksChanged (CatalogObserver: POST /v1/tracks) only queues the interned ids and returns; the
//    indexer's own thread takes the queue in batches, reads each track's current record from the catalog,
//    embeds it with the served song tower and adds it to the served index: a new label (TrackLabels) for
//    a track the index lacks, its own label for one it holds (the index replaces the vector). The HTTP
//    thread never waits for the song tower or the HNSW insert. A track queued twice is indexed once,
//    from its latest record. Batches hold at most kMaxBatch tracks: a replace pauses searches (the
//    index's exclusive lock), so a large POST must not pause them all at once.
//  - Unchanged vectors are not rewritten: a held track whose new embedding the index already holds
//    under its label (its nearest neighbour, cosine within kSameVector of 1) is skipped, so re-posting
//    the catalog a bundle was trained on costs a search per track (no exclusive lock), not a replace.
//  - Adopt(target) makes a newly loaded bundle the indexed one. On the calling thread (start-up, the
//    model reload task), under the lock the indexing thread takes per batch: every catalog track the
//    bundle lacks, and every track changed through OnTracksChanged since this indexer started, is
//    embedded with the new song tower and added to the new index; then `publish` runs (it serves the
//    new model) and later batches go to the new index. So no added or updated track is missing from a
//    model at the moment it starts serving, and ids queued during the catch-up are applied to the new
//    index after it. A catch-up that fails publishes nothing and keeps the previous target.
//  - Not durable by itself: the catalog is (serving/catalog_store.h). After a restart, Adopt at start-up
//    inserts the catalog tracks the bundle lacks; an update to a track the bundle holds, made before the
//    restart, keeps the bundle's vector until a bundle trained after it is loaded.
// Thread-safety: OnTracksChanged from any thread; Adopt from one thread at a time; Flush from any thread.
// The destructor stops the indexing thread (tracks still queued are dropped).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <unordered_set>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/catalog_observer.h"
#include "common/status.h"
#include "models/two_tower_encoder.h"
#include "recommend/track_labels.h"
#include "recommend/vector_index.h"

namespace segue::recommend {

// What the indexer writes to: a bundle's song tower, its index and the labels of that index.
inline constexpr size_t kMaxBatch = 64;
inline constexpr float kSameVector = 2e-6f;  // 1 - cosine below which a stored vector counts as the same

struct SongIndexTarget {
  std::shared_ptr<const SongEncoder> song;
  std::shared_ptr<VectorIndex> index;
  std::shared_ptr<TrackLabels> labels;
};

class TrackIndexer final : public CatalogObserver {
 public:
  // `catalog` outlives the indexer. `on_error` (may be empty) hears every failed batch, on the indexing
  // thread; those tracks are not retried until they change again or the next Adopt.
  TrackIndexer(const Catalog* catalog, std::function<void(const Status&)> on_error);
  ~TrackIndexer() override;
  TrackIndexer(const TrackIndexer&) = delete;
  TrackIndexer& operator=(const TrackIndexer&) = delete;

  void OnTracksChanged(std::span<const uint32_t> tracks) override;

  // Catches `target` up with the catalog (see above), then calls publish() and indexes into `target`
  // from then on. Returns how many tracks the catch-up embedded; kInvalidArgument when the song tower's
  // dimension differs from the index's, or the index's error.
  Result<size_t> Adopt(SongIndexTarget target, const std::function<void()>& publish);

  // Returns once every id queued before the call has been indexed (or dropped: no target yet).
  void Flush();

  // Tracks indexed by successful batches since start-up (catch-ups not counted): new labels, replaced vectors, and
  // held tracks whose vector was already the same.
  uint64_t inserted() const { return inserted_.load(std::memory_order_relaxed); }
  uint64_t replaced() const { return replaced_.load(std::memory_order_relaxed); }
  uint64_t unchanged() const { return unchanged_.load(std::memory_order_relaxed); }

 private:
  void Run();
  struct Counts {
    size_t appended = 0, replaced = 0, unchanged = 0;
  };
  void IndexQueued(std::span<const uint32_t> tracks);
  Status Index(const SongIndexTarget& target, const std::vector<uint32_t>& ids, const std::vector<Track>& tracks,
               Counts* counts);

  const Catalog* catalog_;
  const std::function<void(const Status&)> on_error_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;  // work queued or stop
  std::condition_variable idle_cv_;   // a batch finished
  std::vector<uint32_t> queue_;
  std::unordered_set<uint32_t> queued_;
  // Every track OnTracksChanged named since start-up, recorded as it is named (not when its batch runs),
  // so Adopt catches up even the ids still queued. Lock order: state_mu_, then queue_mu_.
  std::unordered_set<uint32_t> changed_;
  bool busy_ = false;  // a batch taken from the queue is being indexed
  bool stop_ = false;

  std::mutex state_mu_;  // one batch or one Adopt at a time
  std::optional<SongIndexTarget> target_;
  std::atomic<uint64_t> inserted_{0}, replaced_{0}, unchanged_{0};  // metrics read them without the lock

  std::thread worker_;  // last: starts once the members above exist
};

}  // namespace segue::recommend
