// EventObserver: what reacts to every applied event, not only to ended plays (the feedback collector
// attributes searches, exits and plays to impressions; experiments count sessions and exits per arm).
// The pipeline's LiveScoring calls every event observer after each event the tracker applied
// (ApplyOutcome::applied), outside the tracker's lock, before the event is scored.
//
// Contract: OnEventApplied runs on a pipeline worker: keep it short (it is on the path of every event).
// One listener's events arrive in log order from one thread; different listeners' concurrently, so an
// implementation must be thread-safe across listeners. After a restart the restore replays the log tail
// that the sessions snapshot does not cover into the tracker, and to the observers handed to
// RestoreSessions (session_snapshot.h; in the server SessionsComponent::ReplayTailTo), on the restoring
// thread before the pipeline starts, partition by partition: such an observer that keeps durable results
// must recognise an event it has already counted rather than count it twice, by comparing offsets (seq)
// per listener (a listener lives in one partition, where offsets increase; across partitions they are
// not comparable, so a global "highest seq seen" would be wrong).
#pragma once

#include "events/event.h"
#include "session/session_tracker.h"

namespace segue {

class EventObserver {
 public:
  virtual ~EventObserver() = default;
  virtual void OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) = 0;
};

}  // namespace segue
