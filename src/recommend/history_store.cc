#include "recommend/history_store.h"

#include <algorithm>
#include <mutex>

#include "common/hash.h"
#include "recommend/history_builder.h"

namespace segue::recommend {

struct HistoryStore::Shard {
  struct Entry {
    std::string user;
    ListenerHistory history;
  };
  mutable std::mutex mu;
  std::list<Entry> lru;  // most recently updated first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // views into lru's users
};

HistoryStore::HistoryStore(HistoryStoreOptions options)
    : options_(options),
      shard_cap_(std::max<size_t>(1, options.max_listeners / std::max<uint32_t>(1, options.shards))),
      shards_(new Shard[std::max<uint32_t>(1, options.shards)]) {
  options_.shards = std::max<uint32_t>(1, options_.shards);
}

HistoryStore::~HistoryStore() = default;

HistoryStore::Shard& HistoryStore::ShardOf(std::string_view user) const {
  return shards_[Fnv1a64(user) % options_.shards];
}

void HistoryStore::Observe(std::string_view user, const PlayRecord& play, int64_t start_ms) {
  Shard& shard = ShardOf(user);
  std::lock_guard lock(shard.mu);
  auto it = shard.index.find(user);
  if (it == shard.index.end()) {
    if (shard.lru.size() >= shard_cap_) {
      shard.index.erase(shard.lru.back().user);
      shard.lru.pop_back();
    }
    shard.lru.push_front({std::string(user), {}});
    it = shard.index.emplace(shard.lru.front().user, shard.lru.begin()).first;
  } else {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  }
  AddPlayToHistory(play, start_ms, options_.max_tracks_per_listener, &it->second->history);
}

void HistoryStore::ObserveOutcome(std::string_view user, const SessionState& after, const ApplyOutcome& outcome) {
  if (const PlayRecord* p = EndedPlay(after, outcome)) Observe(user, *p, PlayStartMs(after, *p));
}

std::optional<ListenerHistory> HistoryStore::Get(std::string_view user) const {
  Shard& shard = ShardOf(user);
  std::lock_guard lock(shard.mu);
  auto it = shard.index.find(user);
  if (it == shard.index.end()) return std::nullopt;
  return it->second->history;
}

size_t HistoryStore::listeners() const {
  size_t n = 0;
  for (uint32_t i = 0; i < options_.shards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    n += shards_[i].lru.size();
  }
  return n;
}

}  // namespace segue::recommend
