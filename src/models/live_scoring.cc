#include "models/live_scoring.h"

#include "features/session_features.h"

namespace segue {

void LiveScoring::OnCommitted(const std::vector<LoggedEvent>& events) {
  FeatureVector features;
  for (const LoggedEvent& e : events) {
    const ApplyOutcome outcome = tracker_->Apply(e);
    if (outcome.applied) {
      for (EventObserver* o : event_observers_) o->OnEventApplied(e, outcome);
    }
    const bool score = scorer_ != nullptr && DisengagementScorer::IsDecisionPoint(e.event, outcome);
    const bool observe = outcome.applied && outcome.play_ended && !observers_.empty();
    if (!score && !observe) continue;
    // Features and observers under the tracker's shard lock (no session copy), scoring outside it.
    const bool found = tracker_->Visit(e.event.user_id, [&](const SessionState& s) {
      if (observe) {
        for (SessionObserver* o : observers_) o->OnPlayEnded(e.event.user_id, s, outcome);
      }
      if (score) ComputeSessionFeatures(s, *catalog_, &features);
    });
    if (found && score) scorer_->OnFeatures(e.event.user_id, e.event.ts_ms, features, e.event.event_id);
  }
}

}  // namespace segue
