// EngagementDrift: the pipeline's view of how listeners engage, against a baseline, so a model or
// catalog change that makes listeners skip or leave more shows as drift.
//
//   skip rate = plays ended by a skip / plays ended           (over the most recent plays)
//   exit rate = sessions ended by an exit / sessions started  (over the most recent sessions)
//
// (session/engagement_counts.h defines both, for training's summary too.) Each live rate is a RollingRate
// (rolling_rate.h). Baseline, per rate: the served disengagement bundle's training-data rate when the
// `training` source gives counts with at least one trial of that rate (asked at every read, so a swapped
// model brings its own); otherwise the rate of the first full window this process saw, kept until the
// process ends. drift = rate − baseline (NaN until a baseline exists). Metrics (callback gauges, read at
// scrape): segue_engagement_{skip,exit}_rate, ..._baseline, ..._drift, and
// segue_engagement_baseline_from_bundle (1: training data, 0: first window or none yet).
// After a restart the pipeline replays the log tail: those events count again in the new process's
// window, which is what a window of recent behaviour should hold.
//
// Thread-safety: OnEventApplied and rates() are safe concurrently (one mutex, taken only for events that
// end a play or start or exit a session; `training` is called outside it and must be thread-safe). The
// registry's gauges point at this object: it must outlive every scrape of `registry`.
#pragma once

#include <cmath>
#include <functional>
#include <mutex>
#include <optional>

#include "common/metrics.h"
#include "monitoring/rolling_rate.h"
#include "session/engagement_counts.h"
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
  bool baseline_from_bundle = false;
};

class EngagementDrift : public EventObserver {
 public:
  // The served bundle's training counts; nullopt (or a null function) when there are none.
  using TrainingSource = std::function<std::optional<EngagementCounts>()>;

  // `registry` may be null (no metrics).
  EngagementDrift(EngagementDriftOptions options, metrics::Registry* registry, TrainingSource training = nullptr);

  void OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) override;
  EngagementRates rates() const;

 private:
  // A rolling rate and the baseline taken from its first full window.
  struct Tracked {
    RollingRate window;
    double first_window = NAN;
    void FixBaselineWhenFull() {
      if (std::isnan(first_window) && window.full()) first_window = window.rate();
    }
  };
  void RegisterMetrics(metrics::Registry& registry);

  const TrainingSource training_;
  mutable std::mutex mu_;
  Tracked skips_;
  Tracked exits_;
};

}  // namespace segue::monitoring
