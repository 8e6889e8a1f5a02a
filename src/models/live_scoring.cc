#include "models/live_scoring.h"

#include "features/session_features.h"

namespace segue {

void LiveScoring::OnCommitted(const std::vector<LoggedEvent>& events) {
  FeatureVector features;
  for (const LoggedEvent& e : events) {
    ApplyOutcome outcome = tracker_->Apply(e);
    if (scorer_ == nullptr || !DisengagementScorer::IsDecisionPoint(e.event, outcome)) continue;
    // Features under the tracker's shard lock (no session copy), scoring outside it.
    if (tracker_->Visit(e.event.user_id, [&](const SessionState& s) { ComputeSessionFeatures(s, *catalog_, &features); })) {
      scorer_->OnFeatures(e.event.user_id, e.event.ts_ms, features);
    }
  }
}

}  // namespace segue
