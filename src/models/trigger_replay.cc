#include "models/trigger_replay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace segue {

double TriggerReplay::precision() const {
  return triggers ? static_cast<double>(right) / static_cast<double>(triggers) : std::numeric_limits<double>::quiet_NaN();
}

double TriggerReplay::per_listener_hour() const {
  return listener_hours > 0 ? static_cast<double>(triggers) / listener_hours : std::numeric_limits<double>::quiet_NaN();
}

TriggerReplay ReplayTriggers(const EvalTable& table, std::span<const size_t> positions, std::span<const float> score,
                             std::span<const float> threshold, const TriggerOptions& options) {
  TriggerReplay out;
  std::unordered_map<uint32_t, TriggerState> state;  // per listener
  struct Span {
    int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();
  };
  std::unordered_map<uint32_t, Span> sessions;
  for (size_t j = 0; j < positions.size(); ++j) {
    const ExampleInfo& info = table.info[positions[j]];
    TriggerOptions o = options;
    o.threshold = threshold[j];
    if (!ValidateTriggerOptions(o).ok()) {
      ++out.unservable;
      continue;
    }
    Span& s = sessions[info.session];
    s.first = std::min(s.first, info.ts_ms);
    s.last = std::max(s.last, info.ts_ms);
    const TriggerDecision d = TriggerPolicy(o).Observe(state[info.user], score[j], info.ts_ms);
    out.suppressed += d == TriggerDecision::kSuppressedByCooldown;
    if (d != TriggerDecision::kFire) continue;
    ++out.triggers;
    out.right += info.label;
  }
  out.listeners = state.size();
  out.sessions = sessions.size();
  for (const auto& [id, s] : sessions) out.listener_hours += static_cast<double>(s.last - s.first) / 3'600'000.0;
  return out;
}

}  // namespace segue
