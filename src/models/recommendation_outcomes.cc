#include "models/recommendation_outcomes.h"

namespace segue {
namespace {

std::string Key(std::string_view user, std::string_view track) {
  std::string key(user);
  key += '\n';
  key += track;
  return key;
}

}  // namespace

void RecommendationOutcomes::Add(const feedback::Outcome& o) {
  using feedback::OutcomeKind;
  if (o.track_id.empty() || !(feedback::IsEngaged(o.kind) || o.kind == OutcomeKind::kSkipped)) return;
  plays_[Key(o.user_id, o.track_id)].push_back({o.impression_ts_ms, o.ts_ms, o.kind});
  ++size_;
}

std::optional<feedback::OutcomeKind> RecommendationOutcomes::Find(std::string_view user, std::string_view track,
                                                                  int64_t play_ts_ms) const {
  const auto it = plays_.find(Key(user, track));
  if (it == plays_.end()) return std::nullopt;
  for (const Window& w : it->second) {
    if (w.from_ms <= play_ts_ms && play_ts_ms <= w.to_ms) return w.kind;
  }
  return std::nullopt;
}

}  // namespace segue
