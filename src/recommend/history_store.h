// HistoryStore: the server's per-listener ListenerHistory, kept up to date from committed events (the
// pipeline worker calls Observe next to SessionTracker::Apply) and read by the recommendation path as
// RetrievalQuery::history.
//
// Contract:
//  - Each listener's history is bounded by max_tracks_per_listener (AddPlayToHistory's eviction,
//    history_builder.h); the store holds at most max_listeners listeners, least recently updated
//    dropped first (LRU per shard). Memory is about max_listeners × (max_tracks × 20 B + 150 B).
//  - Histories are process memory only: a restart rebuilds them from the events replayed after it.
// Thread-safety: every method is safe to call concurrently; state is sharded by listener (a mutex per
// shard), so partitions' workers rarely contend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "recommend/listener_history.h"
#include "session/session_state.h"
#include "session/session_tracker.h"

namespace segue::recommend {

struct HistoryStoreOptions {
  uint32_t shards = 64;
  size_t max_listeners = 100'000;
  size_t max_tracks_per_listener = 200;
};

class HistoryStore {
 public:
  explicit HistoryStore(HistoryStoreOptions options = {});
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  // Folds one ended play of `user`, started at `start_ms` (event time), into their history.
  void Observe(std::string_view user, const PlayRecord& play, int64_t start_ms);
  // For the pipeline worker: `after` is the listener's state right after the Apply that gave
  // `outcome`; folds the play it ended, if any.
  void ObserveOutcome(std::string_view user, const SessionState& after, const ApplyOutcome& outcome);

  // A copy of the listener's history; nullopt for a listener the store does not hold.
  std::optional<ListenerHistory> Get(std::string_view user) const;
  size_t listeners() const;

 private:
  struct Shard;
  Shard& ShardOf(std::string_view user) const;

  HistoryStoreOptions options_;
  size_t shard_cap_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace segue::recommend
