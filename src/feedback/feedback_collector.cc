#include "feedback/feedback_collector.h"

#include <chrono>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "common/hash.h"

namespace segue::feedback {

// An impression as Record queues it: only what attribution needs (no scores, no model versions).
struct FeedbackCollector::Queued {
  std::string user_id;
  PendingImpression impression;
};

struct FeedbackCollector::Shard {
  std::mutex mu;
  std::unordered_map<std::string, ListenerFeedback> listeners;  // only listeners with something pending
  std::vector<Queued> queue;                                     // recorded, not yet in `listeners`
};

Result<std::unique_ptr<FeedbackCollector>> FeedbackCollector::Open(FeedbackOptions options,
                                                                  metrics::Registry& registry) {
  if (options.shards == 0 || options.max_pending == 0 || options.attribution.window_ms <= 0 ||
      options.sweep_interval_ms <= 0) {
    return Status::InvalidArgument("feedback: shards, max_pending, window_ms and sweep_interval_ms must be >= 1");
  }
  Result<std::unique_ptr<OutcomeStore>> store = OutcomeStore::Open(options.dir);
  if (!store.ok()) return store.status();
  std::unique_ptr<FeedbackCollector> c(new FeedbackCollector(std::move(options), std::move(*store), registry));
  if (Status s = c->LoadStates(); !s.ok()) return s;
  c->background_ = std::thread([raw = c.get()] { raw->BackgroundLoop(); });
  return c;
}

FeedbackCollector::FeedbackCollector(FeedbackOptions options, std::unique_ptr<OutcomeStore> store,
                                     metrics::Registry& registry)
    : options_(std::move(options)),
      store_(std::move(store)),
      shards_(new Shard[options_.shards]),
      outcomes_(registry.AddCounterFamily("segue_feedback_outcomes_total",
                                          "Outcomes attributed to impressions and stored, by kind.", {"kind"})),
      pending_gauge_(registry.AddGauge("segue_feedback_pending_impressions",
                                       "Impressions waiting for an outcome (queued and in listener states).")),
      dropped_listener_cap_(registry.AddCounter(
          "segue_feedback_impressions_dropped_listener_cap_total",
          "Impressions dropped without an outcome: the listener already had max_pending_per_listener pending.")),
      dropped_total_cap_(registry.AddCounter("segue_feedback_impressions_dropped_total",
                                             "Impressions not tracked because max_pending were already pending.")),
      duplicates_(registry.AddCounter("segue_feedback_duplicate_outcomes_total",
                                      "Outcomes derived again (log replay) and found already stored.")),
      write_errors_(registry.AddCounter("segue_feedback_write_errors_total",
                                        "Outcome store writes or WAL syncs that failed (a failed write loses its outcomes).")) {
  for (int k = 0; k < kOutcomeKinds; ++k) outcomes_.WithLabels({OutcomeKindName(static_cast<OutcomeKind>(k))});
}

FeedbackCollector::~FeedbackCollector() {
  {
    std::lock_guard lock(bg_mu_);
    stop_ = true;
  }
  bg_cv_.notify_one();
  if (background_.joinable()) background_.join();
  for (uint32_t i = 0; i < options_.shards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    DrainLocked(shards_[i]);
  }
  Flush();
}

FeedbackCollector::Shard& FeedbackCollector::ShardOf(std::string_view user_id) const {
  return shards_[Fnv1a64(user_id) % options_.shards];
}

Status FeedbackCollector::LoadStates() {
  int64_t pending = 0;
  Status s = store_->ForEachState([&](std::string_view user, ListenerFeedback state) {
    pending += static_cast<int64_t>(state.pending.size());
    ShardOf(user).listeners.emplace(std::string(user), std::move(state));
  });
  AddPending(pending);
  return s;
}

void FeedbackCollector::OnEventApplied(const LoggedEvent& e, const ApplyOutcome&) {
  for (int64_t w = watermark_.load(std::memory_order_relaxed);
       e.event.ts_ms > w && !watermark_.compare_exchange_weak(w, e.event.ts_ms, std::memory_order_relaxed);) {
  }
  Shard& shard = ShardOf(e.event.user_id);
  std::lock_guard lock(shard.mu);
  if (!shard.queue.empty()) DrainLocked(shard);
  auto it = shard.listeners.find(e.event.user_id);
  if (it == shard.listeners.end()) return;
  const size_t before = it->second.pending.size();
  std::vector<Outcome> outcomes;
  if (!ApplyEvent(options_.attribution, e.event, e.seq, &it->second, &outcomes)) return;
  AddPending(static_cast<int64_t>(it->second.pending.size()) - static_cast<int64_t>(before));
  CommitLocked(shard, e.event.user_id, std::move(outcomes));
}

void FeedbackCollector::Record(impressions::Impression m) {
  if (m.track_ids.empty()) return;  // nothing was shown (a cold start without fallbacks): nothing to attribute
  if (pending_.load(std::memory_order_relaxed) >= static_cast<int64_t>(options_.max_pending)) {
    dropped_total_cap_.Inc();
    return;
  }
  Queued q{std::move(m.user_id), PendingImpression{std::move(m.rec_id), m.trigger_score.has_value(), m.event_ts_ms,
                                                   std::move(m.track_ids), {}, false, false}};
  Shard& shard = ShardOf(q.user_id);
  {
    std::lock_guard lock(shard.mu);
    shard.queue.push_back(std::move(q));
  }
  AddPending(1);
  Wake();
}

void FeedbackCollector::Wake() {
  {
    std::lock_guard lock(bg_mu_);
    queued_ = true;
  }
  bg_cv_.notify_one();
}

void FeedbackCollector::DrainLocked(Shard& shard) {
  for (Queued& q : shard.queue) {
    ListenerFeedback& state = shard.listeners[q.user_id];
    const size_t before = state.pending.size();
    dropped_listener_cap_.Inc(AddImpression(options_.attribution, std::move(q.impression), &state));
    // The queued impression was counted when recorded; a duplicate rec_id or a dropped one is not pending.
    AddPending(static_cast<int64_t>(state.pending.size()) - static_cast<int64_t>(before) - 1);
    CommitLocked(shard, q.user_id, {});
  }
  shard.queue.clear();
}

void FeedbackCollector::CommitLocked(Shard& shard, const std::string& user_id, std::vector<Outcome> outcomes) {
  std::erase_if(outcomes, [&](const Outcome& o) {
    Result<bool> stored = store_->Contains(o);
    if (stored.ok() && *stored) duplicates_.Inc();
    return stored.ok() && *stored;
  });
  auto it = shard.listeners.find(user_id);
  if (Status s = store_->Commit(user_id, outcomes, it->second); !s.ok()) {
    write_errors_.Inc();
    spdlog::warn("feedback: {} (listener {}, {} outcomes lost)", s.message(), user_id, outcomes.size());
    outcomes.clear();
  }
  if (it->second.empty()) shard.listeners.erase(it);
  if (outcomes.empty()) return;
  {
    std::lock_guard lock(unreported_mu_);
    unreported_.insert(unreported_.end(), std::make_move_iterator(outcomes.begin()),
                       std::make_move_iterator(outcomes.end()));
  }
  Wake();
}

void FeedbackCollector::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  std::vector<Outcome> batch;
  {
    std::lock_guard lock(unreported_mu_);
    batch.swap(unreported_);
  }
  if (batch.empty()) return;
  // Reported even if the sync failed: they are committed (in the page cache) and will not be derived again.
  if (Status s = store_->SyncWal(); !s.ok()) {
    write_errors_.Inc();
    spdlog::warn("feedback: {}", s.message());
  }
  Report(batch);
}

void FeedbackCollector::Report(const std::vector<Outcome>& outcomes) {
  for (const Outcome& o : outcomes) {
    outcomes_.WithLabels({OutcomeKindName(o.kind)}).Inc();
    for (OutcomeObserver* observer : observers_) observer->OnOutcome(o);
  }
}

void FeedbackCollector::Sweep() {
  const int64_t watermark = watermark_.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < options_.shards; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard lock(shard.mu);
    DrainLocked(shard);
    // Decide first, commit after: a commit may erase its listener from the map being walked.
    std::vector<std::pair<std::string, std::vector<Outcome>>> changed;
    int64_t delta = 0;
    for (auto& [user, state] : shard.listeners) {
      const size_t before = state.pending.size();
      std::vector<Outcome> outcomes;
      if (!Expire(options_.attribution, user, watermark, &state, &outcomes)) continue;
      delta += static_cast<int64_t>(state.pending.size()) - static_cast<int64_t>(before);
      changed.emplace_back(user, std::move(outcomes));
    }
    AddPending(delta);
    for (auto& [user, outcomes] : changed) CommitLocked(shard, user, std::move(outcomes));
  }
  Flush();
}

void FeedbackCollector::AddPending(int64_t delta) {
  if (delta == 0) return;
  pending_gauge_.Set(static_cast<double>(pending_.fetch_add(delta, std::memory_order_relaxed) + delta));
}

void FeedbackCollector::BackgroundLoop() {
  using Clock = std::chrono::steady_clock;
  const auto period = std::chrono::milliseconds(options_.sweep_interval_ms);
  Clock::time_point next_sweep = Clock::now() + period;
  std::unique_lock lock(bg_mu_);
  while (!stop_) {
    bg_cv_.wait_until(lock, next_sweep, [&] { return stop_ || queued_; });
    if (stop_) break;
    queued_ = false;
    lock.unlock();
    if (Clock::now() >= next_sweep) {
      Sweep();
      next_sweep = Clock::now() + period;
    } else {
      for (uint32_t i = 0; i < options_.shards; ++i) {
        std::lock_guard shard_lock(shards_[i].mu);
        if (!shards_[i].queue.empty()) DrainLocked(shards_[i]);
      }
      Flush();
    }
    lock.lock();
  }
}

}  // namespace segue::feedback
