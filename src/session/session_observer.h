// SessionObserver: what else learns from each applied event besides scoring (listener histories, the
// online popularity and co-occurrence models of the recommender). The pipeline's LiveScoring calls every
// observer after each event the tracker applied, with the listener's state right after it.
//
// Contract: OnApplied runs on a pipeline worker, under the tracker's shard lock for that listener (so the
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
  virtual void OnApplied(std::string_view user_id, const SessionState& after, const ApplyOutcome& outcome) = 0;
};

}  // namespace segue
