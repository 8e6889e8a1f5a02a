#include "recommend/recommendation_cache.h"

namespace segue::recommend {
namespace {

// Map node, list node, shared_ptr control block and vector headers: roughly, per entry.
constexpr size_t kEntryOverheadBytes = 160;

size_t EstimateBytes(std::string_view user_id, const CachedList& list) {
  size_t bytes = kEntryOverheadBytes + 2 * user_id.size() + list.items.size() * sizeof(RankedTrack) +
                 list.retriever.size();
  for (const auto& [component, version] : list.model_versions) bytes += component.size() + version.size();
  return bytes;
}

metrics::CounterFamily& LookupCounters(metrics::Registry& registry) {
  return registry.AddCounterFamily("segue_recommendation_cache_lookups_total",
                                   "Recommendation cache lookups: hit (same session version), miss, stale (an "
                                   "older version served as a fallback).",
                                   {"result"});
}

}  // namespace

RecommendationCache::RecommendationCache(size_t max_entries, size_t max_bytes, metrics::Registry& registry)
    : max_entries_(max_entries),
      max_bytes_(max_bytes),
      hits_(LookupCounters(registry).WithLabels({"hit"})),
      misses_(LookupCounters(registry).WithLabels({"miss"})),
      stale_(LookupCounters(registry).WithLabels({"stale"})),
      evictions_(registry.AddCounter("segue_recommendation_cache_evictions_total",
                                     "Recommendation cache entries evicted by the entry or byte bound.")),
      entries_gauge_(registry.AddGauge("segue_recommendation_cache_entries", "Listeners in the recommendation cache.")),
      bytes_gauge_(registry.AddGauge("segue_recommendation_cache_bytes",
                                     "Estimated bytes held by the recommendation cache.")) {}

void RecommendationCache::Put(std::string_view user_id, std::shared_ptr<const CachedList> list) {
  std::lock_guard lock(mu_);
  const size_t bytes = EstimateBytes(user_id, *list);
  if (auto it = index_.find(user_id); it != index_.end()) {
    if (it->second->list->version > list->version) return;
    bytes_ -= it->second->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Node{std::string(user_id), std::move(list), bytes});
  index_.emplace(lru_.front().user_id, lru_.begin());
  bytes_ += bytes;
  EvictOverBounds();
}

std::shared_ptr<const CachedList> RecommendationCache::Lookup(std::string_view user_id) {
  auto it = index_.find(user_id);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->list;
}

std::shared_ptr<const CachedList> RecommendationCache::Get(std::string_view user_id, uint64_t version) {
  std::lock_guard lock(mu_);
  std::shared_ptr<const CachedList> list = Lookup(user_id);
  if (!list || list->version != version) {
    misses_.Inc();
    return nullptr;
  }
  hits_.Inc();
  return list;
}

std::shared_ptr<const CachedList> RecommendationCache::GetStale(std::string_view user_id) {
  std::lock_guard lock(mu_);
  std::shared_ptr<const CachedList> list = Lookup(user_id);
  if (list) stale_.Inc();
  return list;
}

void RecommendationCache::EvictOverBounds() {
  while (!lru_.empty() && (lru_.size() > max_entries_ || bytes_ > max_bytes_)) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().user_id);
    lru_.pop_back();
    evictions_.Inc();
  }
  entries_gauge_.Set(static_cast<double>(lru_.size()));
  bytes_gauge_.Set(static_cast<double>(bytes_));
}

size_t RecommendationCache::entries() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

size_t RecommendationCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace segue::recommend
