#include "models/trigger_policy.h"

#include <cmath>

namespace segue {

Status ValidateTriggerOptions(const TriggerOptions& o) {
  if (!(o.threshold > 0.f && o.threshold <= 1.f)) {
    return Status::InvalidArgument("trigger threshold: must be in (0, 1]");
  }
  if (!(o.hysteresis >= 0.f && o.hysteresis < o.threshold)) {
    return Status::InvalidArgument("trigger hysteresis: must be >= 0 and below the threshold");
  }
  if (o.cooldown_ms < 0) return Status::InvalidArgument("trigger cooldown: must be >= 0");
  return Status::Ok();
}

TriggerDecision TriggerPolicy::Observe(TriggerState& state, float score, int64_t ts_ms) const {
  if (!std::isfinite(score)) return TriggerDecision::kNone;
  if (!state.armed) {
    if (score < options_.threshold - options_.hysteresis) state.armed = true;
    return TriggerDecision::kNone;
  }
  if (score < options_.threshold) return TriggerDecision::kNone;
  state.armed = false;
  // last_fire_ms starts at INT64_MIN (never fired); subtracting it would overflow.
  const bool cooling = state.last_fire_ms != std::numeric_limits<int64_t>::min() &&
                       ts_ms - state.last_fire_ms < options_.cooldown_ms;
  if (cooling) {
    ++state.suppressed;
    return TriggerDecision::kSuppressedByCooldown;
  }
  state.last_fire_ms = ts_ms;
  return TriggerDecision::kFire;
}

}  // namespace segue
