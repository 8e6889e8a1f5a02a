#include "experiments/listener_stats_codec.h"

namespace segue::experiments {
namespace {

// Every stored field, in file order; both directions use this one list.
template <typename S, typename Fn>
void ForEachField(S& s, Fn&& fn) {
  fn(s.last_seq);
  fn(s.session_start_ms);
  fn(s.last_event_ms);
  fn(s.session_ms);
  fn(s.listening_ms);
  fn(s.arm);
  fn(s.sessions);
  fn(s.sessions_ended);
  fn(s.exits);
  fn(s.plays);
  fn(s.skips);
  fn(s.triggers);
  fn(s.pushed);
  fn(s.unacted_resolved);
  fn(s.unacted_disengaged);
  fn(s.recs);
  fn(s.pushed_recs);
  fn(s.clicked);
  for (auto& p : s.pending) fn(p);
  for (auto& r : s.recent_recs) fn(r);
  fn(s.pending_count);
  fn(s.recent_engaged);
  fn(s.recent_next);
  fn(s.session_open);
}

}  // namespace

nlohmann::json ListenerStatsToJson(const ListenerStats& s) {
  nlohmann::json out = nlohmann::json::array();
  ForEachField(s, [&](const auto& v) { out.push_back(v); });
  return out;
}

bool ListenerStatsFromJson(const nlohmann::json& j, ListenerStats* s) {
  if (!j.is_array()) return false;
  size_t i = 0;
  bool ok = true;
  ForEachField(*s, [&](auto& v) {
    using T = std::decay_t<decltype(v)>;
    if (!ok || i >= j.size()) {
      ok = false;
      return;
    }
    const nlohmann::json& x = j[i++];
    if constexpr (std::is_same_v<T, bool>) {
      ok = x.is_boolean();
    } else {
      ok = x.is_number_integer();
    }
    if (ok) v = x.get<T>();
  });
  return ok && i == j.size() && s->pending_count <= kMaxPending && s->recent_next < kRecentRecs;
}

}  // namespace segue::experiments
