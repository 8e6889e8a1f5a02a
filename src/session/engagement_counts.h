// The engagement signals of one applied event, and their totals: the one definition of "a play ended
// by a skip" and "a session ended by an exit" that training's summary (the bundle's training-data
// rates, models/dataset.h) and the live monitor (monitoring/engagement_drift.h) share, so the live
// rates and their baseline measure the same thing.
//   skip rate = plays ended by a skip / plays ended
//   exit rate = sessions ended by an exit / sessions started
// Plain values and pure functions; thread-safety is the caller's.
#pragma once

#include <cmath>
#include <cstdint>

#include "events/event.h"
#include "session/session_tracker.h"

namespace segue {

struct EngagementSignals {
  bool play_ended = false;
  bool skipped = false;  // the play that ended was skipped
  bool session_started = false;
  bool exited = false;   // an exit event ended the session
};

inline EngagementSignals EngagementSignalsOf(EventType type, const ApplyOutcome& outcome) {
  if (!outcome.applied) return {};
  return {outcome.play_ended, outcome.play_ended && outcome.how == PlayEnd::kSkipped, outcome.new_session,
          outcome.session_ended && type == EventType::kExit};
}

struct EngagementCounts {
  uint64_t plays_ended = 0;
  uint64_t plays_skipped = 0;
  uint64_t sessions_started = 0;
  uint64_t sessions_exited = 0;

  void Add(const EngagementSignals& s) {
    plays_ended += s.play_ended;
    plays_skipped += s.skipped;
    sessions_started += s.session_started;
    sessions_exited += s.exited;
  }
  // NaN without a trial.
  double skip_rate() const { return Ratio(plays_skipped, plays_ended); }
  double exit_rate() const { return Ratio(sessions_exited, sessions_started); }

  bool operator==(const EngagementCounts&) const = default;

 private:
  static double Ratio(uint64_t hits, uint64_t trials) {
    return trials == 0 ? NAN : static_cast<double>(hits) / static_cast<double>(trials);
  }
};

}  // namespace segue
