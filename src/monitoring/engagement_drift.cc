#include "monitoring/engagement_drift.h"

namespace segue::monitoring {

EngagementDrift::EngagementDrift(EngagementDriftOptions options, metrics::Registry* registry)
    : skips_{RollingRate(options.blocks, options.plays_per_block)},
      exits_{RollingRate(options.blocks, options.sessions_per_block)} {
  if (registry) RegisterMetrics(*registry);
}

void EngagementDrift::OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) {
  const bool exited = outcome.session_ended && event.event.type == EventType::kExit;
  if (!outcome.play_ended && !outcome.new_session && !exited) return;
  std::lock_guard lock(mu_);
  if (outcome.play_ended) {
    skips_.window.AddTrial();
    if (outcome.how == PlayEnd::kSkipped) skips_.window.AddHit();
    skips_.FixBaselineWhenFull();
  }
  if (outcome.new_session) exits_.window.AddTrial();
  if (exited) exits_.window.AddHit();
  exits_.FixBaselineWhenFull();
}

EngagementRates EngagementDrift::rates() const {
  std::lock_guard lock(mu_);
  return {skips_.window.rate(), skips_.baseline, exits_.window.rate(), exits_.baseline};
}

void EngagementDrift::RegisterMetrics(metrics::Registry& r) {
  const char* baseline_help = " (the rate of the first full window since the server started)";
  r.AddCallbackGauge("segue_engagement_skip_rate", "Plays ended by a skip / plays ended, over the recent plays",
                     [this] { return rates().skip_rate; });
  r.AddCallbackGauge("segue_engagement_skip_rate_baseline", std::string("Baseline skip rate") + baseline_help,
                     [this] { return rates().skip_baseline; });
  r.AddCallbackGauge("segue_engagement_skip_rate_drift", "segue_engagement_skip_rate - its baseline",
                     [this] {
                       const EngagementRates x = rates();
                       return x.skip_rate - x.skip_baseline;
                     });
  r.AddCallbackGauge("segue_engagement_exit_rate",
                     "Sessions ended by an exit / sessions started, over the recent sessions",
                     [this] { return rates().exit_rate; });
  r.AddCallbackGauge("segue_engagement_exit_rate_baseline", std::string("Baseline exit rate") + baseline_help,
                     [this] { return rates().exit_baseline; });
  r.AddCallbackGauge("segue_engagement_exit_rate_drift", "segue_engagement_exit_rate - its baseline",
                     [this] {
                       const EngagementRates x = rates();
                       return x.exit_rate - x.exit_baseline;
                     });
}

}  // namespace segue::monitoring
