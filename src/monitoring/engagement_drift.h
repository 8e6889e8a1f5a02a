// EngagementDrift: the pipeline's view of how listeners engage, against how they engaged when the
// server started, so a model or catalog change that makes listeners skip or leave more shows as drift.
//
//   skip rate = plays ended by a skip / plays ended           (over the most recent plays)
//   exit rate = sessions ended by an exit / sessions started  (over the most recent sessions)
//
// Each rate is a RollingRate (rolling_rate.h). Its baseline is the rate of the first full window this
// process saw (the bundle's training data carries no engagement rates); it is kept until the process
// ends. drift = rate − baseline (NaN until the baseline exists). Metrics (callback gauges, read at
// scrape): segue_engagement_{skip,exit}_rate, ..._baseline, ..._drift.
// After a restart the pipeline replays the log tail: those events count again in the new process's
// window, which is what a window of recent behaviour should hold.
//
// Thread-safety: OnEventApplied and rates() are safe concurrently (one mutex, taken only for events that
// end a play or start or exit a session). The registry's gauges point at this object: it must outlive
// every scrape of `registry`.
#pragma once

#include <cmath>
#include <mutex>

#include "common/metrics.h"
#include "monitoring/rolling_rate.h"
#include "session/event_observer.h"

namespace segue::monitoring {

struct EngagementDriftOptions {
  size_t blocks = 10;
  uint64_t plays_per_block = 500;      // window: the last 4,500–5,000 ended plays
  uint64_t sessions_per_block = 100;   // window: the last 900–1,000 sessions
};

struct EngagementRates {
  double skip_rate = NAN, skip_baseline = NAN;
  double exit_rate = NAN, exit_baseline = NAN;
};

class EngagementDrift : public EventObserver {
 public:
  // `registry` may be null (no metrics).
  EngagementDrift(EngagementDriftOptions options, metrics::Registry* registry);

  void OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) override;
  EngagementRates rates() const;

 private:
  // A rolling rate and the baseline taken from its first full window.
  struct Tracked {
    RollingRate window;
    double baseline = NAN;
    void FixBaselineWhenFull() {
      if (std::isnan(baseline) && window.full()) baseline = window.rate();
    }
  };
  void RegisterMetrics(metrics::Registry& registry);

  mutable std::mutex mu_;
  Tracked skips_;
  Tracked exits_;
};

}  // namespace segue::monitoring
