// TriggerPolicy: turns a listener's stream of disengagement scores into rare, actionable triggers.
//
// Rules (per listener, in event time):
//  - Fire when the score is at or above `threshold` while the listener is armed (a crossing upwards).
//  - Firing, or a crossing suppressed by the cooldown, disarms; the listener re-arms only once the score
//    falls below threshold - hysteresis, so a score hovering around the threshold fires once, not at
//    every event.
//  - Cooldown: no trigger within `cooldown_ms` of the previous one for the same listener.
// The happy path (continuous play with completes) keeps scores low and never fires (tested against a
// trained model in disengagement_scorer_test).
// Thread-safety: TriggerPolicy is immutable; a TriggerState belongs to one listener and is guarded by
// the caller.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "common/status.h"

namespace segue {

// The internal event the recommender will consume (until it exists: counted and shown per listener).
struct Trigger {
  std::string user_id;
  int64_t ts_ms = 0;   // event time of the decision point that fired
  std::string event_id;  // that decision point's event; the push carries it, so a client can time event → push
  float score = 0;
  float threshold = 0;
  std::string reason;  // why it fired, for humans and logs
};

struct TriggerOptions {
  float threshold = 0.5f;    // normally the bundle's threshold
  float hysteresis = 0.1f;   // re-arm below threshold - hysteresis
  int64_t cooldown_ms = 10 * 60 * 1000;
};
Status ValidateTriggerOptions(const TriggerOptions& options);

struct TriggerState {
  bool armed = true;
  int64_t last_fire_ms = std::numeric_limits<int64_t>::min();
  uint32_t suppressed = 0;  // crossings swallowed by the cooldown (lifetime)
};

enum class TriggerDecision : uint8_t { kNone, kFire, kSuppressedByCooldown };

class TriggerPolicy {
 public:
  explicit TriggerPolicy(TriggerOptions options) : options_(options) {}
  TriggerDecision Observe(TriggerState& state, float score, int64_t ts_ms) const;
  const TriggerOptions& options() const { return options_; }

 private:
  TriggerOptions options_;
};

}  // namespace segue
