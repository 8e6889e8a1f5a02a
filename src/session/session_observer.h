// SessionObserver: what else learns from listening besides scoring (listener histories, the online
// popularity and co-occurrence models of the recommender). The pipeline's LiveScoring calls every observer
// after each applied event that ended a play (ApplyOutcome::play_ended), with the listener's state right
// after it; events that end no play cost the observers nothing.
//
// Contract: OnPlayEnded runs on a pipeline worker, under the tracker's shard lock for that listener (so the
// state is not copied): keep it short and never call back into the tracker. One listener's events arrive
// in log order from one thread; different listeners' concurrently.
#pragma once

#include <string_view>

#include "session/session_state.h"
#include "session/session_tracker.h"

namespace segue {

class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void OnPlayEnded(std::string_view user_id, const SessionState& after, const ApplyOutcome& outcome) = 0;
};

}  // namespace segue
