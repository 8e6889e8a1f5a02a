// RecommendationCache: per listener, the last ranked candidate list computed for them, keyed on the
// version of their session (SessionState::last_seq, the log sequence of the last applied event).
//
// Contract:
//  - What is cached is the ranked list BEFORE post-filters (a few hundred 12-byte entries): filters and
//    the top-K cut run on every request, so one entry serves any k and any per-request filter options,
//    and what the listener played since is still filtered out.
//  - Get(user, version) hits only for exactly that version: a new event (a newer last_seq) misses, so
//    new events invalidate without any callback from the pipeline. GetStale returns the entry whatever
//    its version: the first fallback when the model cannot answer in time.
//  - Put never replaces an entry with one for an older version (a late, slow computation for an old
//    session state cannot overwrite a fresher one). It is how the cache is filled ahead of time when a
//    trigger fires (Recommender::Prefetch).
//  - Bounded by entries and by bytes (estimated: ids, items, versions, per-entry overhead); the least
//    recently used entries are evicted first.
// Metrics: segue_recommendation_cache_lookups_total{result="hit"|"miss"|"stale"},
// segue_recommendation_cache_evictions_total, segue_recommendation_cache_entries / _bytes.
// Thread-safety: all methods are safe concurrently (one mutex; entries are immutable shared_ptrs, so a
// reader keeps its list after the lock is released).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/metrics.h"
#include "recommend/ranked_track.h"

namespace segue::recommend {

struct CachedList {
  uint64_t version = 0;             // SessionState::last_seq it was computed for
  std::vector<RankedTrack> items;   // ranked, best first, before post-filters
  std::string retriever;            // the retriever that produced it
  std::vector<std::pair<std::string, std::string>> model_versions;
};

class RecommendationCache {
 public:
  RecommendationCache(size_t max_entries, size_t max_bytes, metrics::Registry& registry);

  void Put(std::string_view user_id, std::shared_ptr<const CachedList> list);
  std::shared_ptr<const CachedList> Get(std::string_view user_id, uint64_t version);
  std::shared_ptr<const CachedList> GetStale(std::string_view user_id);

  size_t entries() const;
  size_t bytes() const;

 private:
  struct Node {
    std::string user_id;
    std::shared_ptr<const CachedList> list;
    size_t bytes = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using Lru = std::list<Node>;  // most recently used first

  std::shared_ptr<const CachedList> Lookup(std::string_view user_id);  // touches; mu_ held
  void EvictOverBounds();                                               // mu_ held

  const size_t max_entries_;
  const size_t max_bytes_;
  metrics::Counter& hits_;
  metrics::Counter& misses_;
  metrics::Counter& stale_;
  metrics::Counter& evictions_;
  metrics::Gauge& entries_gauge_;
  metrics::Gauge& bytes_gauge_;

  mutable std::mutex mu_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator, Hash, std::equal_to<>> index_;
  size_t bytes_ = 0;
};

}  // namespace segue::recommend
