#include "serving/listener_state.h"

#include "common/time_util.h"

namespace segue::serving {

nlohmann::json ViewJson(const std::optional<ListenerScoreView>& score) {
  nlohmann::json view = {{"disengagement_score", nullptr}, {"last_trigger", nullptr}};
  if (!score) return view;
  view["disengagement_score"] = score->score;
  if (const std::optional<Trigger>& t = score->last_trigger) {
    view["last_trigger"] = {{"ts", FormatRfc3339Ms(t->ts_ms)},
                            {"score", t->score},
                            {"threshold", t->threshold},
                            {"reason", t->reason}};
  }
  return view;
}

Result<std::optional<SessionState>> TrackerListenerState::Session(std::string_view user) const {
  std::optional<SessionState> session;
  tracker_->Visit(user, [&](const SessionState& s) { session = s; });
  return session;
}

Result<nlohmann::json> TrackerListenerState::View(std::string_view user) const {
  return ViewJson(scorer_ ? scorer_->Get(user) : std::nullopt);
}

}  // namespace segue::serving
