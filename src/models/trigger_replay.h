// The trigger operating point offline: a model's scores on evaluated decision points replayed through
// the server's TriggerPolicy (trigger_policy.h: threshold, hysteresis, cooldown), listener by listener in
// event time, to say how often the served model would push and how often it would be right.
//
// Contract: `positions` index the table's examples (each listener's examples contiguous and in time
// order, as BuildEvalTable and the folds of EvaluateFolds keep them); `score[j]` and `threshold[j]`
// belong to positions[j] (the threshold of the model that scored it: one per fold under
// cross-validation). A point whose threshold the server would refuse (ValidateTriggerOptions: e.g. a
// threshold not above the hysteresis; DisengagementScorer does not load such a bundle) is not replayed
// but counted as unservable (listeners, sessions and hours count replayed points only). A fired trigger is "right" when its decision point is positive (the listener
// disengages within the horizon). Listener-hours are, per session, the time from its first to its last
// evaluated decision point (a lower bound of the listening time: time after the last one is not seen).
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <span>

#include "models/disengagement_eval.h"
#include "models/trigger_policy.h"

namespace segue {

struct TriggerReplay {
  size_t listeners = 0, sessions = 0;
  size_t triggers = 0, right = 0;  // fired, of which on a positive decision point
  size_t suppressed = 0;           // crossings the cooldown swallowed
  size_t unservable = 0;           // points whose model the server would refuse
  double listener_hours = 0;
  double precision() const;             // right / triggers (NaN without triggers)
  double per_listener_hour() const;     // triggers / listener_hours (NaN without time)
};

// `options.threshold` is ignored: each point brings its own.
TriggerReplay ReplayTriggers(const EvalTable& table, std::span<const size_t> positions, std::span<const float> score,
                             std::span<const float> threshold, const TriggerOptions& options);

}  // namespace segue
