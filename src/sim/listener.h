// A simulated listener: hidden traits (taste, patience, fatigue sensitivity, daily habits) and hidden
// short-term state (fatigue, frustration, skip streak) that drive observable behaviour (plays, skips,
// pauses, seeks, searches, likes, exits).
//
// The listener is a state machine advanced in event time, one action at a time, so that a driver can
// interleave many listeners and react in between (e.g. push recommendations from a live server):
//   while (!l.done()) { t = l.next_action_ms(); ... l.OfferRecommendations(...); l.Step(&events); }
// Decisions (next track, search, exit) are taken when they are due, not planned ahead, so an offer made
// before a decision point is taken into account at that decision point. The playback of one track
// (its pause/resume/seek/like and how it ends) is planned when the track starts.
//
// Behaviour (see BehaviourParams for the numbers):
//  - skip probability rises with taste mismatch, fatigue (listened time in the session) and frustration
//    (recent skips), and falls with patience;
//  - after skips, frustration makes exit and search likelier; a search is followed by the best-matching
//    of several candidate tracks, and relieves frustration;
//  - autoplay/radio drifts across genres, so mismatch (and with it skips) comes in bursts;
//  - a session ends when its target length is reached or frustration/fatigue win, by an `exit` in the
//    middle of a track, by pausing and never resuming, or by simply stopping after a track (the last two
//    leave the session to time out on the server);
//  - a play may be interrupted (an `exit` mid-track, back a few minutes later): two sessions to the server,
//    one sitting to the listener;
//  - right after a skip the next skip is usually quick (skimming), so skips come in fast streaks;
//  - a session is lean-back (long, calm) or hands-on (short, searching and skipping), more often the
//    latter for listeners who search a lot.
// Deterministic for its seed and the sequence of calls. Not thread-safe; the catalog and params it
// points to must outlive it.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "sim/sim_params.h"
#include "sim/sim_random.h"
#include "sim/synthetic_catalog.h"

namespace segue::sim {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct ListenerTraits {
  std::array<float, kSimGenres> genre_affinity{};  // 0..1, the favourite genre has 1
  TasteVector taste{};
  float taste_width = 0.2f;           // how far (in taste space) a track may be and still please
  uint8_t language = 0;               // SimLanguageName
  float foreign_tolerance = 0.5f;     // 0..1: how much a track in another language still pleases
  float explicit_aversion = 0.f;      // 0..1
  float patience = 0.5f;              // 0..1
  float fatigue_sensitivity = 1.f;    // multiplies fatigue growth
  float search_propensity = 0.f;      // added to the search logit
  float sessions_per_day = 1.6f;
  std::array<float, 2> preferred_hours{};  // UTC hours of the two usual listening times
  float first_hour_share = 0.6f;
  float session_minutes = 22.f;       // preferred session length
  float brief_session_share = 0.2f;   // share of quick check-in sessions (a track or two)
  bool shuffle = true;
  uint8_t device = 0;                 // index into the device names
};

// Draws a listener's traits (and nothing else) from the population distribution.
ListenerTraits SampleTraits(const BehaviourParams& params, SimRandom& rng);

// The hidden short-term state, exposed for tests and diagnostics (a model must infer it from events).
struct HiddenState {
  bool in_session = false;
  double fatigue = 0;      // grows with listened time in the session
  double frustration = 0;  // grows with skips, decays with completed plays
  int skip_streak = 0;
  int64_t session_start_ms = 0;
  double session_target_minutes = 0;
  uint32_t session_plays = 0;
  bool hands_on = false;  // this session picks tracks by hand and skims (BehaviourParams::hands_on_*)
};

// What the listener did with one play, for statistics and tests.
struct PlayOutcome {
  uint32_t track = 0;
  double mismatch = 0;
  double fatigue = 0;      // before the play
  double frustration = 0;  // before the play
  int skip_streak = 0;     // before the play
  bool skipped = false;
  bool from_search = false;
  bool from_recommendation = false;
  bool hands_on = false;  // played in a hands-on session
};

class Listener {
 public:
  // Event ids are `event_id_prefix` + a per-listener counter: unique and deterministic.
  Listener(std::string user_id, std::string event_id_prefix, ListenerTraits traits, const SyntheticCatalog* catalog,
           const BehaviourParams* params, uint64_t seed, int64_t start_ms, int64_t end_ms);

  const std::string& user_id() const { return user_id_; }
  const ListenerTraits& traits() const { return traits_; }
  const HiddenState& hidden() const { return state_; }
  // Event time of the next action; kNever once the listener is past the end of the simulated period.
  int64_t next_action_ms() const { return next_ms_; }
  bool done() const { return next_ms_ == kNever; }

  // Performs the action due at next_action_ms() and appends its events (none, one, or a few with the
  // same or increasing timestamps; never earlier than any event this listener emitted before).
  void Step(std::vector<Event>* out);

  // Recommendations pushed to this listener at `now_ms` (catalog track indices, best first). At its next
  // decision point the listener may play one of them (source "recommendation", context.rec_id = rec_id)
  // instead of what it would have done, with a probability that rises with how well it matches; an
  // accepted recommendation relieves frustration like a good search would. Offers expire after
  // BehaviourParams::rec_ttl_ms; a newer offer replaces an older one.
  void OfferRecommendations(std::span<const uint32_t> tracks, std::string_view rec_id, int64_t now_ms);

  // How well a track fits this listener, 0..1 (1 − mismatch).
  double Match(uint32_t track) const;

  // Every play since construction or the last ClearPlays(), in order (tests, calibration, diagnostics).
  // It grows by sizeof(PlayOutcome) (40 bytes) per play: a long-running live driver clears it.
  const std::vector<PlayOutcome>& plays() const { return outcomes_; }
  void ClearPlays() { outcomes_.clear(); }
  uint64_t sessions() const { return sessions_; }

 private:
  enum class Phase : uint8_t { kIdle, kPlaying, kDeciding };
  enum class Mode : uint8_t { kPlaylist, kRadio };
  // How the current track ends the session, if it does. kInterrupt: stopped mid-track by an `exit` (the app
  // closed, the device changed) and picked up again a few minutes later: the server and the labels see two
  // sessions, the listener one sitting (same hidden state and target).
  enum class Ending : uint8_t { kNone, kExitMidTrack, kPauseAbandon, kStopAfter, kInterrupt };
  struct Planned {
    int64_t ts_ms;
    EventType type;
    int64_t position_ms;
  };

  void ScheduleNextSession(int64_t after_ms);
  void StartSession(std::vector<Event>* out);
  void Decide(std::vector<Event>* out);
  void EndSession(int64_t at_ms);
  void Search(int64_t at_ms, std::vector<Event>* out);
  void PlanPlay(uint32_t track, std::string_view source, std::string_view rec_id, int64_t at_ms, Ending ending,
                bool from_search);
  uint32_t NextInContext();
  uint32_t BestOf(int genre, int candidates);
  void EmitPlanned(std::vector<Event>* out);
  Event MakeEvent(EventType type, int64_t ts_ms, int64_t position_ms);

  std::string user_id_;
  std::string id_prefix_;
  ListenerTraits traits_;
  const SyntheticCatalog* catalog_;
  const BehaviourParams* params_;
  SimRandom rng_;
  int64_t end_ms_;
  int64_t next_ms_ = kNever;
  int64_t last_emitted_ms_ = 0;
  Phase phase_ = Phase::kIdle;
  HiddenState state_;
  uint64_t event_counter_ = 0;
  uint64_t sessions_ = 0;

  // Habits: the sessions planned for the current day.
  int64_t planned_day_ = -1;
  std::vector<int64_t> day_starts_;

  // Current session context.
  Mode mode_ = Mode::kPlaylist;
  int radio_genre_ = 0;
  std::vector<uint32_t> library_;  // tracks the listener saved: good matches, replayed in playlist mode
  uint32_t current_track_ = 0;
  std::string current_source_;
  std::string current_rec_id_;
  std::vector<Planned> planned_;  // the current track's events, oldest first
  size_t planned_next_ = 0;
  Ending ending_ = Ending::kNone;

  // The latest recommendation offer.
  std::vector<uint32_t> offer_;
  std::string offer_rec_id_;
  int64_t offer_expires_ms_ = 0;

  std::vector<PlayOutcome> outcomes_;
};

}  // namespace segue::sim
