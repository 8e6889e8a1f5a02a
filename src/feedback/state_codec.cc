#include "feedback/state_codec.h"

#include <nlohmann/json.hpp>

namespace segue::feedback {
namespace {

using nlohmann::json;

// Decoding helpers that never throw: a missing or wrongly typed field marks the whole text corrupt.
struct Reader {
  bool ok = true;
  template <typename T>
  T Get(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return ok = false, T{};
    if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) return ok = false, T{};
    } else if constexpr (std::is_integral_v<T>) {
      if (!it->is_number_integer()) return ok = false, T{};
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) return ok = false, T{};
    } else {
      if (!it->is_array()) return ok = false, T{};
      T out;
      for (const json& s : *it) {
        if (!s.is_string()) return ok = false, T{};
        out.push_back(s.get<std::string>());
      }
      return out;
    }
    return it->get<T>();
  }
};

}  // namespace

std::string EncodeListenerFeedback(const ListenerFeedback& state) {
  json pending = json::array();
  for (const PendingImpression& p : state.pending) {
    pending.push_back({{"rec_id", p.rec_id}, {"pushed", p.pushed}, {"event_ts_ms", p.event_ts_ms},
                       {"tracks", p.track_ids}, {"played", p.played},
                       {"searched", p.searched}, {"exited", p.exited}});
  }
  json play;
  if (state.play) {
    const AttributedPlay& a = *state.play;
    play = {{"rec_id", a.rec_id},       {"track_id", a.track_id},   {"pushed", a.pushed},
            {"impression_ts_ms", a.impression_ts_ms}, {"played_ms", a.played_ms},
            {"counting_since", a.counting_since},     {"last_event_ms", a.last_event_ms}};
  }
  return json{{"seq", state.seq}, {"pending", std::move(pending)}, {"play", std::move(play)}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

Result<ListenerFeedback> DecodeListenerFeedback(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("pending") || !j["pending"].is_array()) {
    return Status::Corruption("feedback state: not an object with a pending array");
  }
  Reader r;
  ListenerFeedback state;
  state.seq = r.Get<uint64_t>(j, "seq");
  for (const json& p : j["pending"]) {
    if (!p.is_object()) return Status::Corruption("feedback state: a pending impression is not an object");
    state.pending.push_back(PendingImpression{r.Get<std::string>(p, "rec_id"), r.Get<bool>(p, "pushed"),
                                              r.Get<int64_t>(p, "event_ts_ms"),
                                              r.Get<std::vector<std::string>>(p, "tracks"),
                                              r.Get<std::vector<std::string>>(p, "played"),
                                              r.Get<bool>(p, "searched"), r.Get<bool>(p, "exited")});
  }
  if (auto it = j.find("play"); it != j.end() && it->is_object()) {
    const json& a = *it;
    state.play = AttributedPlay{r.Get<std::string>(a, "rec_id"),        r.Get<std::string>(a, "track_id"),
                                r.Get<bool>(a, "pushed"),               r.Get<int64_t>(a, "impression_ts_ms"),
                                r.Get<int64_t>(a, "played_ms"),         r.Get<int64_t>(a, "counting_since"),
                                r.Get<int64_t>(a, "last_event_ms")};
  }
  if (!r.ok) return Status::Corruption("feedback state: a field is missing or has the wrong type");
  return state;
}

}  // namespace segue::feedback
