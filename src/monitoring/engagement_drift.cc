#include "monitoring/engagement_drift.h"

#include <string>

namespace segue::monitoring {

EngagementDrift::EngagementDrift(EngagementDriftOptions options, metrics::Registry* registry, TrainingSource training)
    : training_(std::move(training)),
      skips_{RollingRate(options.blocks, options.plays_per_block)},
      exits_{RollingRate(options.blocks, options.sessions_per_block)} {
  if (registry) RegisterMetrics(*registry);
}

void EngagementDrift::OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) {
  const EngagementSignals s = EngagementSignalsOf(event.event.type, outcome);
  if (!s.play_ended && !s.session_started && !s.exited) return;
  std::lock_guard lock(mu_);
  if (s.play_ended) {
    skips_.window.AddTrial();
    if (s.skipped) skips_.window.AddHit();
    skips_.FixBaselineWhenFull();
  }
  if (s.session_started) exits_.window.AddTrial();
  if (s.exited) exits_.window.AddHit();
  exits_.FixBaselineWhenFull();
}

EngagementRates EngagementDrift::rates() const {
  const std::optional<EngagementCounts> trained = training_ ? training_() : std::nullopt;
  EngagementRates r;
  {
    std::lock_guard lock(mu_);
    r = {skips_.window.rate(), skips_.first_window, exits_.window.rate(), exits_.first_window, false};
  }
  if (trained && trained->plays_ended > 0 && trained->sessions_started > 0) {
    r.skip_baseline = trained->skip_rate();
    r.exit_baseline = trained->exit_rate();
    r.baseline_from_bundle = true;
  }
  return r;
}

void EngagementDrift::RegisterMetrics(metrics::Registry& r) {
  const std::string baseline_help =
      " (the served bundle's training data when it has it, else the first full window since the server started)";
  r.AddCallbackGauge("segue_engagement_skip_rate", "Plays ended by a skip / plays ended, over the recent plays",
                     [this] { return rates().skip_rate; });
  r.AddCallbackGauge("segue_engagement_skip_rate_baseline", "Baseline skip rate" + baseline_help,
                     [this] { return rates().skip_baseline; });
  r.AddCallbackGauge("segue_engagement_skip_rate_drift", "segue_engagement_skip_rate - its baseline", [this] {
    const EngagementRates x = rates();
    return x.skip_rate - x.skip_baseline;
  });
  r.AddCallbackGauge("segue_engagement_exit_rate",
                     "Sessions ended by an exit / sessions started, over the recent sessions",
                     [this] { return rates().exit_rate; });
  r.AddCallbackGauge("segue_engagement_exit_rate_baseline", "Baseline exit rate" + baseline_help,
                     [this] { return rates().exit_baseline; });
  r.AddCallbackGauge("segue_engagement_exit_rate_drift", "segue_engagement_exit_rate - its baseline", [this] {
    const EngagementRates x = rates();
    return x.exit_rate - x.exit_baseline;
  });
  r.AddCallbackGauge("segue_engagement_baseline_from_bundle",
                     "1 when the engagement baselines are the served bundle's training-data rates, 0 when they are "
                     "the first full window's (or not known yet)",
                     [this] { return rates().baseline_from_bundle ? 1.0 : 0.0; });
}

}  // namespace segue::monitoring
