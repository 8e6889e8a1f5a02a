// FeedbackCollector: the pipeline consumer that attributes what listeners do after an impression
// (attribution.h has the rules, outcome.h the kinds), stores the outcomes (outcome_store.h) and reports
// each stored one once to the OutcomeObservers.
//
// Reporting: the worker that decides outcomes commits them (unsynced) and queues them; the background
// thread (or Flush) syncs the store's WAL once for everything queued, then reports it, in commit order per
// listener. One fsync per group instead of one per outcome keeps the disk off the pipeline's path.
//
// It learns of impressions as an ImpressionSink (the recommender's sink fans out to it and to the
// ImpressionStore): Record only queues the impression in its listener's shard (no I/O on the response
// path); a background thread, or the listener's next event, moves it into the listener's pending state
// and persists that. It learns of events as an EventObserver (LiveScoring calls it on the pipeline
// workers). A listener with nothing pending costs one shard lock and one hash lookup per event.
//
// Bounds: at most max_pending_per_listener impressions per listener (the oldest is dropped for a new
// one) and max_pending in all (a new impression beyond it is dropped); neither gets an outcome, both
// are counted (segue_feedback_impressions_dropped_total{reason}).
//
// Exactly-once in effect across kill -9, the argument:
//  1. Every change of a listener's state (attribution.h) is committed to the store, together with the
//     outcomes it decided, in one atomic batch before the shard lock is released; observers hear of the
//     outcomes after a WAL sync that covers the batch. So the store always holds, per listener, a state
//     S and every outcome decided on the way to S; S.seq is the last event that changed it.
//  2. An event that did not change a listener's state is not recorded, and need not be: folding it again
//     into the same state changes nothing (the rules are deterministic), and an impression added later
//     only counts events after its event_ts (attribution.h). The one difference a replay can make: an
//     event after event_ts that was folded in the milliseconds between the recommendation and Record
//     (before the collector knew the impression) counts when replayed; that adds an outcome, never a
//     second one.
//  3. At start, Open loads every persisted state, and the sessions restore hands the collector the log
//     tail the sessions snapshot does not cover (every event the pipeline may not have handed to
//     observers before the kill; session/session_snapshot.h), which it folds skipping per listener the
//     events at or below S.seq. Outcomes already stored are not re-derived
//     (their deciding events are at or below S.seq); an outcome decided again anyway (an identical
//     (listener, rec_id, track, kind) key) is found in the store, neither rewritten nor reported.
//  4. Pending impressions and attributed plays in progress are part of S, so they are recovered and
//     still decided. What can be lost: impressions queued in Record and not yet moved (the background
//     thread moves them within milliseconds; like the ImpressionStore's queue); the report of outcomes
//     committed in the last milliseconds before a kill (they are stored, and not re-derived, but their
//     observers never hear of them: at most once for observers, exactly once in the store); and, on a
//     power cut rather than a process kill, what was committed since the last WAL sync.
// Watermark: impressions whose window closed and plays silent for a session timeout are decided by
// the listener's own next event or, every sweep_interval_ms, by the largest event time seen (the
// global event-time watermark; nothing is decided while no events arrive).
// Thread-safety: OnEventApplied concurrently for different listeners (one listener's events in log
// order from one thread), Record, Sweep and Flush from any thread. AddObserver before events flow.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"
#include "feedback/attribution.h"
#include "feedback/outcome.h"
#include "feedback/outcome_store.h"
#include "impressions/impression_sink.h"
#include "session/event_observer.h"

namespace segue::feedback {

struct FeedbackOptions {
  std::string dir;  // the outcome store's directory (<data_dir>/feedback in the server)
  AttributionOptions attribution;
  size_t max_pending = 1'000'000;  // impressions pending in all (queued + in listener states)
  uint32_t shards = 64;
  int64_t sweep_interval_ms = 1000;  // how often the watermark decides expiries (wall clock)
};

class FeedbackCollector : public EventObserver, public impressions::ImpressionSink {
 public:
  // Opens the store, loads the pending states and starts the background thread. Errors name the store.
  static Result<std::unique_ptr<FeedbackCollector>> Open(FeedbackOptions options, metrics::Registry& registry);
  // Stops the background thread and persists the impressions still queued.
  ~FeedbackCollector() override;

  // `observer` must outlive the collector.
  void AddObserver(OutcomeObserver* observer) { observers_.push_back(observer); }

  void OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) override;
  void Record(impressions::Impression impression) override;

  // Moves queued impressions into their listeners' states and decides what the watermark ends, then
  // Flush. The background thread calls it every sweep_interval_ms; tests call it to be deterministic.
  void Sweep();
  // Syncs the store's WAL and reports the outcomes committed before the call. The background thread
  // calls it whenever outcomes are queued; tests call it to be deterministic.
  void Flush();

  size_t pending() const { return static_cast<size_t>(pending_.load(std::memory_order_relaxed)); }
  int64_t watermark_ms() const { return watermark_.load(std::memory_order_relaxed); }
  const OutcomeStore& store() const { return *store_; }

 private:
  struct Shard;
  struct Queued;
  FeedbackCollector(FeedbackOptions options, std::unique_ptr<OutcomeStore> store, metrics::Registry& registry);
  Shard& ShardOf(std::string_view user_id) const;
  Status LoadStates();
  // Under the shard lock: moves its queued impressions into states and persists them.
  void DrainLocked(Shard& shard);
  // Under the shard lock: stores the listener's state and the outcomes not stored yet, and queues those
  // for Flush.
  void CommitLocked(Shard& shard, const std::string& user_id, std::vector<Outcome> outcomes);
  void Report(const std::vector<Outcome>& outcomes);
  void AddPending(int64_t delta);
  void Wake();
  void BackgroundLoop();

  const FeedbackOptions options_;
  std::unique_ptr<OutcomeStore> store_;
  std::unique_ptr<Shard[]> shards_;
  std::vector<OutcomeObserver*> observers_;
  std::atomic<int64_t> pending_{0};
  std::atomic<int64_t> watermark_{0};

  metrics::CounterFamily& outcomes_;
  metrics::Gauge& pending_gauge_;
  metrics::Counter& dropped_listener_cap_;
  metrics::Counter& dropped_total_cap_;
  metrics::Counter& duplicates_;
  metrics::Counter& write_errors_;

  std::mutex flush_mu_;  // one Flush at a time, so reports keep commit order
  std::mutex unreported_mu_;
  std::vector<Outcome> unreported_;  // committed, waiting for a WAL sync and their report

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool queued_ = false;  // impressions or outcomes are waiting
  bool stop_ = false;
  std::thread background_;
};

}  // namespace segue::feedback
