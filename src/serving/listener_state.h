// ListenerState: where the read handlers (GET /v1/users/{id}/session and .../recommendations) get a
// listener's session and latest disengagement view, whichever node holds them. TrackerListenerState
// reads this process's tracker and scorer (the embedded default, and a bus node's own partitions);
// NodeComponent (node_component.h) answers for the other partitions from the online store in Redis.
//
// A view is the JSON object {"disengagement_score": number|null, "last_trigger": {ts, score, threshold,
// reason}|null} that GET .../session appends to the session (docs/api.md); ViewJson renders it, and the
// owner of a partition stores exactly that text for non-owners to read.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "models/disengagement_scorer.h"
#include "session/session_state.h"
#include "session/session_tracker.h"

namespace segue::serving {

class ListenerState {
 public:
  virtual ~ListenerState() = default;
  // A copy of the listener's session; nullopt when none is held. Unavailable when its store cannot be read.
  virtual Result<std::optional<SessionState>> Session(std::string_view user) const = 0;
  // The listener's view (both fields null when nothing was scored).
  virtual Result<nlohmann::json> View(std::string_view user) const = 0;
  // The catalog the sessions' track ids belong to (for rendering).
  virtual const Catalog& catalog() const = 0;
};

// The view of a scorer's listener state; a null scorer or an unscored listener gives null fields.
nlohmann::json ViewJson(const std::optional<ListenerScoreView>& score);

class TrackerListenerState final : public ListenerState {
 public:
  // `scorer` may be null (no model loaded). Both outlive this.
  TrackerListenerState(const SessionTracker* tracker, const DisengagementScorer* scorer)
      : tracker_(tracker), scorer_(scorer) {}

  Result<std::optional<SessionState>> Session(std::string_view user) const override;
  Result<nlohmann::json> View(std::string_view user) const override;
  const Catalog& catalog() const override { return tracker_->catalog(); }

 private:
  const SessionTracker* tracker_;
  const DisengagementScorer* scorer_;
};

}  // namespace segue::serving
