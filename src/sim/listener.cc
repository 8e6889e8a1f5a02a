#include "sim/listener.h"

#include <algorithm>
#include <cmath>

namespace segue::sim {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 86'400'000;
// The server closes a session after 30 minutes of silence; a new session starts later than that.
constexpr int64_t kSessionGap = 31 * kMinute;
constexpr std::array<std::string_view, 4> kDevices = {"mobile", "desktop", "web", "speaker"};
constexpr std::array<float, 4> kDeviceShare = {0.62f, 0.22f, 0.08f, 0.08f};
constexpr std::array<float, kSimLanguages> kListenerLanguageShare = {0.7f, 0.12f, 0.05f, 0.05f, 0.04f, 0.04f};

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

}  // namespace

ListenerTraits SampleTraits(const BehaviourParams& params, SimRandom& rng) {
  ListenerTraits t;
  // Genre affinity: a Dirichlet draw (concentrated: most listeners have one or two home genres).
  std::array<double, kSimGenres> w{};
  double max_w = 0;
  for (int g = 0; g < kSimGenres; ++g) {
    w[g] = rng.Gamma(0.35);
    max_w = std::max(max_w, w[g]);
  }
  TasteVector taste{};
  double total = 0;
  for (int g = 0; g < kSimGenres; ++g) {
    t.genre_affinity[g] = static_cast<float>(w[g] / max_w);
    total += w[g];
  }
  for (int g = 0; g < kSimGenres; ++g) {
    TasteVector c = GenreCentroid(g);
    for (int d = 0; d < kTasteDims; ++d) taste[d] += static_cast<float>(c[d] * w[g] / total);
  }
  for (int d = 0; d < kTasteDims; ++d) t.taste[d] = static_cast<float>(std::clamp(taste[d] + rng.Normal(0, 0.05), 0.0, 1.0));
  t.taste_width = static_cast<float>(rng.Uniform(0.12, 0.28));
  t.language = static_cast<uint8_t>(rng.Categorical(kListenerLanguageShare));
  t.foreign_tolerance = static_cast<float>(rng.Uniform(0.2, 1.0));
  t.explicit_aversion = rng.Bernoulli(0.2) ? static_cast<float>(rng.Uniform(0.5, 1.0)) : 0.f;
  t.patience = static_cast<float>(std::clamp(rng.Normal(0.5, 0.2), 0.0, 1.0));
  t.fatigue_sensitivity = static_cast<float>(rng.LogNormal(1.0, 0.5));
  t.search_propensity = static_cast<float>(rng.Normal(0, params.search_propensity_sd));
  t.sessions_per_day = static_cast<float>(rng.LogNormal(params.sessions_per_day_median, 0.5));
  t.preferred_hours = {static_cast<float>(rng.Uniform(6, 24)), static_cast<float>(rng.Uniform(0, 24))};
  t.first_hour_share = static_cast<float>(rng.Uniform(0.5, 0.9));
  t.session_minutes = static_cast<float>(rng.LogNormal(params.session_minutes_median, 0.4));
  t.brief_session_share = static_cast<float>(std::clamp(rng.Normal(params.brief_session_share, 0.08), 0.0, 0.6));
  t.shuffle = rng.Bernoulli(0.7);
  t.device = static_cast<uint8_t>(rng.Categorical(kDeviceShare));
  return t;
}

Listener::Listener(std::string user_id, std::string event_id_prefix, ListenerTraits traits, const SyntheticCatalog* catalog,
                   const BehaviourParams* params, uint64_t seed, int64_t start_ms, int64_t end_ms)
    : user_id_(std::move(user_id)),
      id_prefix_(std::move(event_id_prefix)),
      traits_(traits),
      catalog_(catalog),
      params_(params),
      rng_(seed),
      end_ms_(end_ms),
      last_emitted_ms_(start_ms) {
  // The library: the best-matching of a few hundred popular tracks from the listener's genres.
  std::vector<std::pair<double, uint32_t>> candidates;
  for (int i = 0; i < 300; ++i) {
    uint32_t track = catalog_->SamplePopular(rng_, static_cast<int>(rng_.Categorical(traits_.genre_affinity)));
    candidates.emplace_back(-Match(track), track);
  }
  std::sort(candidates.begin(), candidates.end());
  for (const auto& [neg_match, track] : candidates) {
    if (std::find(library_.begin(), library_.end(), track) == library_.end()) library_.push_back(track);
    if (library_.size() == 60) break;
  }
  ScheduleNextSession(start_ms);
}

double Listener::Match(uint32_t index) const {
  const SimTrack& t = catalog_->track(index);
  double genre = traits_.genre_affinity[t.genre];
  if (t.second_genre < kSimGenres) genre = std::max(genre, 0.8 * traits_.genre_affinity[t.second_genre]);
  double d2 = 0;
  for (int d = 0; d < kTasteDims; ++d) d2 += (t.taste[d] - traits_.taste[d]) * (t.taste[d] - traits_.taste[d]);
  double sound = std::exp(-d2 / (2.0 * traits_.taste_width * traits_.taste_width));
  double language = t.language == traits_.language || t.language == 0 ? 1.0 : traits_.foreign_tolerance;
  double m = 0.5 * genre + 0.33 * sound + 0.12 * language + 0.05 * catalog_->Popularity(index) / 100.0;
  if (t.explicit_content) m -= 0.3 * traits_.explicit_aversion;
  return std::clamp(m, 0.0, 1.0);
}

void Listener::ScheduleNextSession(int64_t after_ms) {
  phase_ = Phase::kIdle;
  for (int64_t day = FloorDiv(after_ms, kDay);; ++day) {
    if (day * kDay >= end_ms_) {
      next_ms_ = kNever;
      return;
    }
    if (day != planned_day_) {
      // Habits: a Poisson number of sessions around the listener's usual hours.
      planned_day_ = day;
      day_starts_.clear();
      int n = rng_.Poisson(traits_.sessions_per_day);
      for (int i = 0; i < n; ++i) {
        double hour = traits_.preferred_hours[rng_.Bernoulli(traits_.first_hour_share) ? 0 : 1] + rng_.Normal(0, 1.3);
        hour = std::fmod(hour + 48.0, 24.0);
        day_starts_.push_back(day * kDay + static_cast<int64_t>(hour * 3'600'000.0));
      }
      std::sort(day_starts_.begin(), day_starts_.end());
    }
    for (int64_t start : day_starts_) {
      if (start >= after_ms && start < end_ms_) {
        next_ms_ = start;
        return;
      }
    }
  }
}

void Listener::Step(std::vector<Event>* out) {
  switch (phase_) {
    case Phase::kIdle:
      StartSession(out);
      break;
    case Phase::kPlaying:
      EmitPlanned(out);
      break;
    case Phase::kDeciding:
      Decide(out);
      break;
  }
}

void Listener::StartSession(std::vector<Event>* out) {
  const int64_t t = next_ms_;
  ++sessions_;
  state_ = HiddenState{};
  state_.in_session = true;
  state_.session_start_ms = t;
  const bool brief = rng_.Bernoulli(traits_.brief_session_share);
  state_.session_target_minutes =
      brief ? 0.5 + rng_.Exponential(2.0) : rng_.LogNormal(traits_.session_minutes, params_->session_minutes_sigma);
  state_.hands_on = rng_.Bernoulli(Sigmoid(params_->hands_on_bias + traits_.search_propensity));
  if (state_.hands_on) state_.session_target_minutes *= params_->hands_on_length;
  double r = rng_.Uniform();
  if (r < 0.5) {
    mode_ = Mode::kPlaylist;
  } else {
    mode_ = Mode::kRadio;
    radio_genre_ = static_cast<int>(rng_.Categorical(traits_.genre_affinity));
  }
  Ending ending = Ending::kNone;
  if (brief) {
    double e = rng_.Uniform();
    ending = e < 0.35 ? Ending::kExitMidTrack : e < 0.65 ? Ending::kPauseAbandon : Ending::kStopAfter;
  }
  if (r >= 0.85 && ending == Ending::kNone) {
    Search(t, out);
    return;
  }
  PlanPlay(NextInContext(), mode_ == Mode::kPlaylist ? "playlist" : "radio", "", t, ending, false);
}

uint32_t Listener::NextInContext() {
  if (mode_ == Mode::kPlaylist) {
    // Playlists end and autoplay takes over in the genre of what was playing.
    if (state_.session_plays > 0 && rng_.Bernoulli(0.05)) {
      mode_ = Mode::kRadio;
      radio_genre_ = catalog_->track(current_track_).genre;
    } else {
      uint32_t track = library_[rng_.Below(library_.size())];
      if (track == current_track_) track = library_[rng_.Below(library_.size())];
      return track;
    }
  }
  // Radio / autoplay wanders across genres by overall popularity, whatever this listener likes: this is
  // where mismatch, and skip bursts, come from.
  if (rng_.Bernoulli(params_->radio_drift)) radio_genre_ = catalog_->track(catalog_->SamplePopular(rng_, -1)).genre;
  return catalog_->SamplePopular(rng_, radio_genre_);
}

uint32_t Listener::BestOf(int genre, int candidates) {
  uint32_t best = catalog_->SamplePopular(rng_, genre);
  double best_match = Match(best);
  for (int i = 1; i < candidates; ++i) {
    uint32_t track = catalog_->SamplePopular(rng_, genre);
    double m = Match(track);
    if (m > best_match) best = track, best_match = m;
  }
  return best;
}

void Listener::Search(int64_t at_ms, std::vector<Event>* out) {
  const int genre = static_cast<int>(rng_.Categorical(traits_.genre_affinity));
  const uint32_t track = BestOf(genre, params_->search_candidates);
  Event e = MakeEvent(EventType::kSearch, at_ms, -1);
  e.track_id.clear();
  e.query = rng_.Bernoulli(0.6) ? catalog_->ArtistName(catalog_->track(track).artist) : std::string(SimGenreName(genre));
  out->push_back(std::move(e));
  state_.frustration *= params_->search_relief;
  state_.skip_streak = 0;
  mode_ = Mode::kRadio;
  radio_genre_ = catalog_->track(track).genre;
  const int64_t browse = 4000 + static_cast<int64_t>(rng_.Exponential(10'000));
  PlanPlay(track, "search", "", at_ms + browse, Ending::kNone, true);
}

void Listener::Decide(std::vector<Event>* out) {
  const int64_t t = next_ms_;
  if (t >= end_ms_) {
    EndSession(t);
    return;
  }

  // A live recommendation offer is looked at first: a good one keeps the listener from searching or leaving.
  if (!offer_.empty() && t <= offer_expires_ms_) {
    uint32_t best = offer_[0];
    double best_match = Match(best);
    for (uint32_t track : offer_) {
      double m = Match(track);
      if (m > best_match) best = track, best_match = m;
    }
    std::string rec_id = std::move(offer_rec_id_);
    offer_.clear();
    if (rng_.Bernoulli(Sigmoid(params_->rec_accept_slope * (best_match - params_->rec_accept_at)))) {
      state_.frustration *= 0.6;
      PlanPlay(best, "recommendation", rec_id, t, Ending::kNone, false);
      return;
    }
  }

  const double elapsed = static_cast<double>(t - state_.session_start_ms) / kMinute;
  const double target = state_.session_target_minutes;
  const double z = std::clamp((elapsed - target) / (target / 4 + 1), -1.0, 3.0);
  const double exit_p = Sigmoid(params_->exit_bias + params_->exit_frustration * state_.frustration +
                                params_->exit_fatigue * state_.fatigue + params_->exit_over_target * z);
  if (rng_.Bernoulli(exit_p)) {
    const double total = params_->end_exit_mid_track + params_->end_pause_abandon + params_->end_after_track;
    const double e = rng_.Uniform() * total;
    if (e >= params_->end_exit_mid_track + params_->end_pause_abandon &&
        (state_.skip_streak == 0 || rng_.Bernoulli(0.25))) {
      EndSession(t);
      return;
    }
    const Ending ending = e < params_->end_exit_mid_track || e >= params_->end_exit_mid_track + params_->end_pause_abandon
                              ? Ending::kExitMidTrack
                              : Ending::kPauseAbandon;
    PlanPlay(NextInContext(), mode_ == Mode::kPlaylist ? "playlist" : "radio", "", t, ending, false);
    return;
  }

  const double search_p = Sigmoid(params_->search_bias + params_->search_frustration * state_.frustration +
                                  traits_.search_propensity + (state_.hands_on ? params_->hands_on_search : 0.0));
  if (rng_.Bernoulli(search_p)) {
    Search(t, out);
    return;
  }
  PlanPlay(NextInContext(), mode_ == Mode::kPlaylist ? "playlist" : "radio", "", t, Ending::kNone, false);
}

void Listener::PlanPlay(uint32_t track, std::string_view source, std::string_view rec_id, int64_t at_ms,
                        Ending ending, bool from_search) {
  const BehaviourParams& p = *params_;
  if (ending == Ending::kNone && rng_.Bernoulli(p.interrupt_rate)) ending = Ending::kInterrupt;
  const bool stops_mid_track =
      ending == Ending::kExitMidTrack || ending == Ending::kPauseAbandon || ending == Ending::kInterrupt;
  const double match = Match(track);
  const double mismatch = 1.0 - match;
  PlayOutcome outcome{track, mismatch, state_.fatigue, state_.frustration, state_.skip_streak, false, from_search,
                      !rec_id.empty(), state_.hands_on};

  current_track_ = track;
  current_source_ = source;
  current_rec_id_ = rec_id;
  ending_ = ending;
  planned_.clear();
  planned_next_ = 0;
  ++state_.session_plays;

  const int64_t duration = catalog_->track(track).duration_ms;
  const double skip_logit = p.skip_bias + p.skip_mismatch * (mismatch - 0.5) + p.skip_fatigue * state_.fatigue +
                            p.skip_frustration * state_.frustration - p.skip_patience * (traits_.patience - 0.5) +
                            (state_.hands_on ? p.hands_on_skip : 0.0);
  const bool skip = rng_.Bernoulli(Sigmoid(skip_logit));
  // Where in the track the play ends (position).
  int64_t end_pos = duration;
  if (skip) {
    // Quick skips come sooner the worse the match; the rest are spread over the track.
    const double quick = state_.skip_streak > 0 ? p.quick_skip_share_in_streak : p.quick_skip_share;
    double ms = rng_.Bernoulli(quick) ? rng_.Exponential(p.quick_skip_mean_s * 1000 * (0.4 + match))
                                                   : rng_.Uniform(0.15, 0.9) * static_cast<double>(duration);
    end_pos = std::clamp<int64_t>(static_cast<int64_t>(ms), 500, duration - 2000);
  }
  if (stops_mid_track) {
    // A quick check-in is over within a minute or so; otherwise the listener leaves anywhere in the track.
    const double leave = state_.session_plays == 1 && state_.session_target_minutes < 3
                             ? 3000 + rng_.Exponential(40'000)
                             : rng_.Uniform(0.05, 0.9) * static_cast<double>(duration);
    end_pos = std::clamp<int64_t>(static_cast<int64_t>(leave), 1000, end_pos);
  }

  int64_t wall = at_ms, pos = 0;
  planned_.push_back({wall, EventType::kPlay, 0});
  if (end_pos > 30'000 && rng_.Bernoulli(p.seek_rate + p.seek_mismatch * mismatch)) {
    const int64_t from = static_cast<int64_t>(rng_.Uniform(0.05, 0.5) * static_cast<double>(end_pos));
    const int64_t to = from + 10'000 + static_cast<int64_t>(rng_.Below(50'000));
    if (to < end_pos) {
      wall += from;
      pos = to;
      planned_.push_back({wall, EventType::kSeek, to});
    }
  }
  if (ending == Ending::kPauseAbandon) {
    // Paused and never resumed: nothing follows; the server times the session out.
    wall += end_pos - pos;
    planned_.push_back({wall, EventType::kPause, end_pos});
  } else {
    if (end_pos - pos > 5000 && rng_.Bernoulli(p.pause_rate)) {
      const int64_t at = pos + 1000 + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(end_pos - pos - 2000)));
      wall += at - pos;
      pos = at;
      planned_.push_back({wall, EventType::kPause, at});
      wall += static_cast<int64_t>(std::min(rng_.LogNormal(p.pause_median_s * 1000, 1.0), 20.0 * kMinute));
      planned_.push_back({wall, EventType::kResume, at});
    }
    wall += end_pos - pos;
    if (ending == Ending::kExitMidTrack || ending == Ending::kInterrupt) {
      planned_.push_back({wall, EventType::kExit, end_pos});
    } else if (skip) {
      if (rng_.Bernoulli(p.dislike_rate * mismatch * mismatch)) planned_.push_back({wall - 1, EventType::kDislike, end_pos});
      planned_.push_back({wall, EventType::kSkip, end_pos});
    } else {
      if (rng_.Bernoulli(p.like_rate * match * match)) planned_.push_back({wall - 1, EventType::kLike, end_pos});
      planned_.push_back({wall, EventType::kComplete, end_pos});
    }
  }

  // The hidden state moves now; it is only read at the next decision point, after these events.
  const double listened_hours = static_cast<double>(end_pos) / 3'600'000.0;
  state_.fatigue += p.fatigue_per_hour * traits_.fatigue_sensitivity * listened_hours;
  const bool skipped = skip && !stops_mid_track;
  if (skipped) {
    state_.frustration += p.frustration_per_skip * (0.5 + mismatch);
    ++state_.skip_streak;
  } else {
    state_.frustration *= p.frustration_decay;
    state_.skip_streak = 0;
  }
  outcome.skipped = skipped;
  outcomes_.push_back(outcome);
  phase_ = Phase::kPlaying;
  next_ms_ = std::max(planned_.front().ts_ms, last_emitted_ms_);
}

void Listener::EmitPlanned(std::vector<Event>* out) {
  const Planned& item = planned_[planned_next_++];
  const int64_t ts = std::max(item.ts_ms, last_emitted_ms_);
  Event e = MakeEvent(item.type, ts, item.position_ms);
  if (item.type == EventType::kPlay) {
    e.context.device = std::string(kDevices[traits_.device]);
    e.context.source = current_source_;
    if (current_source_ == "playlist") e.context.shuffle = traits_.shuffle;
    e.context.rec_id = current_rec_id_;
  }
  out->push_back(std::move(e));
  if (planned_next_ < planned_.size()) {
    next_ms_ = std::max(planned_[planned_next_].ts_ms, ts);
    return;
  }
  if (ending_ == Ending::kInterrupt) {
    phase_ = Phase::kDeciding;
    next_ms_ = ts + static_cast<int64_t>(std::min(rng_.LogNormal(params_->interrupt_gap_median_s * 1000, 1.0),
                                                  25.0 * kMinute));
  } else if (ending_ == Ending::kNone) {
    // The next decision comes after the usual gap between tracks (a little longer after a skip).
    phase_ = Phase::kDeciding;
    next_ms_ = ts + (state_.skip_streak > 0 ? 200 + static_cast<int64_t>(rng_.Below(1300))
                                            : static_cast<int64_t>(rng_.Below(800)));
  } else {
    EndSession(ts);
  }
}

void Listener::EndSession(int64_t at_ms) {
  state_.in_session = false;
  ScheduleNextSession(at_ms + kSessionGap);
}

void Listener::OfferRecommendations(std::span<const uint32_t> tracks, std::string_view rec_id, int64_t now_ms) {
  offer_.assign(tracks.begin(), tracks.end());
  offer_rec_id_ = std::string(rec_id);
  offer_expires_ms_ = now_ms + params_->rec_ttl_ms;
}

Event Listener::MakeEvent(EventType type, int64_t ts_ms, int64_t position_ms) {
  Event e;
  e.event_id = id_prefix_ + std::to_string(event_counter_++);
  e.user_id = user_id_;
  e.type = type;
  e.ts_ms = ts_ms;
  e.track_id = catalog_->TrackId(current_track_);
  e.position_ms = position_ms;
  last_emitted_ms_ = ts_ms;
  return e;
}

}  // namespace segue::sim
