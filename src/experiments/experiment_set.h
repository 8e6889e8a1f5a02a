// ExperimentSet: the running experiments, what they decide for each disengagement trigger, and their
// per-arm, per-listener statistics (listener_stats.h), reported on demand (experiment_report.h).
//
// Contract:
//  - SetExperiments replaces the running set (valid specs, distinct ids). An experiment whose arms are
//    unchanged keeps its statistics (description, enabled and horizon may change); one whose arms changed
//    starts over (its listeners' old arms mean nothing under the new weights).
//  - OnTrigger decides whether a trigger is pushed: each enabled experiment assigns the listener an arm
//    (assignment.h), and the trigger is pushed only if every one of those arms acts (treatment; threshold
//    at or above its threshold). Withholding wins, so a listener in any shadow arm is never pushed to and
//    the shadow arm stays an honest control; a treatment arm's trigger withheld by another experiment is
//    counted with action "withheld" and, in the statistics, as not acted on. Each experiment counts
//    segue_experiment_triggers_total{experiment,arm,action} with action pushed, shadow, below_threshold
//    or withheld. Disabled experiments neither decide nor count; their statistics are kept.
//  - OnEventApplied (EventObserver) and OnOutcome (feedback::OutcomeObserver) feed each enabled
//    experiment's statistics. An event whose log seq a listener has already counted (the log tail
//    replayed after a restart) is not counted again, and neither is the trigger it causes.
//  - Memory is bounded: at most max_listeners listener entries over all experiments (~300 bytes each);
//    activity of listeners beyond that is not counted (segue_experiment_untracked_total) and
//    segue_experiment_listeners shows the entries held.
//  - Save writes every experiment's statistics to one file (common/durable_file.h); Load, after
//    SetExperiments, restores those of experiments whose arms are unchanged. For restarts to neither lose
//    nor double count events, Save runs after each sessions snapshot and the restore's replayed tail is
//    fed to OnEventApplied (everything replayed is then either newer than the saved statistics or
//    recognised by its seq). Triggers and outcomes after the last Save are lost by a crash, never counted
//    twice (the restore fires no triggers; OutcomeObserver reports an outcome only once).
// Thread-safety: every method is safe to call concurrently. The experiment list is read under a shared
// lock; each experiment's statistics have their own mutex, held for one listener update, a whole report
// (17 ms CPU at 100,000 listeners, docs/benchmarks.md) or a save's copy of the statistics (22 ms):
// meanwhile the pipeline's updates to that experiment wait.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"
#include "experiments/experiment_report.h"
#include "experiments/experiment_spec.h"
#include "feedback/outcome.h"
#include "session/event_observer.h"

namespace segue::experiments {

inline constexpr size_t kDefaultMaxListeners = 200'000;

class ExperimentSet : public EventObserver, public feedback::OutcomeObserver {
 public:
  ExperimentSet(size_t max_listeners, metrics::Registry& registry);
  ~ExperimentSet() override;

  void SetExperiments(const std::vector<ExperimentSpec>& specs);
  std::vector<ExperimentSpec> experiments() const;
  std::optional<ExperimentSpec> Find(std::string_view id) const;

  // True when the trigger's recommendations are to be pushed. `ts_ms` is the trigger's event time.
  bool OnTrigger(const std::string& user_id, int64_t ts_ms, float score);

  void OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) override;
  void OnOutcome(const feedback::Outcome& outcome) override;

  std::optional<ExperimentReport> Report(std::string_view id) const;

  Status Save(const std::string& path) const;
  // Absent file: nothing to restore. A damaged one is an error naming it (the caller logs it and runs on
  // with empty statistics rather than refuse to serve).
  Status Load(const std::string& path);

 private:
  struct Running;
  std::vector<std::shared_ptr<Running>> Snapshot() const;
  ListenerStats* Listener(Running& r, const std::string& user_id);

  const size_t max_listeners_;
  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<Running>> running_;
  std::atomic<size_t> listeners_{0};
  metrics::CounterFamily& triggers_;
  metrics::Counter& untracked_;
};

}  // namespace segue::experiments
