// Every tunable number of the simulator in one place, with the defaults calibrated against real Spotify
// extended histories (docs/data.md, "Simulator calibration"). Plain value types.
#pragma once

#include <cstdint>

namespace segue::sim {

struct CatalogParams {
  uint32_t tracks = 5000;
  uint32_t tracks_per_artist = 8;  // mean; artists = tracks / tracks_per_artist
  double zipf_exponent = 1.0;      // track sampling weight ∝ 1 / rank^zipf_exponent
  double explicit_scale = 1.0;     // multiplies the per-genre explicit shares (see synthetic_catalog.cc)
  double median_duration_s = 205;  // log-normal track length, clamped to [60 s, 600 s]
  double release_age_mean_years = 8;
  int reference_year = 2025;       // newest release year
};

// Listener behaviour. Probabilities are per play unless stated; "logit" terms are added on the logistic
// scale, so each says how strongly that hidden quantity moves the decision.
struct BehaviourParams {
  // Skips: p = sigmoid(skip_bias + skip_mismatch*(mismatch-0.5) + skip_fatigue*fatigue
  //                    + skip_frustration*frustration - skip_patience*(patience-0.5)).
  double skip_bias = 0.4;
  double skip_mismatch = 5.0;
  double skip_fatigue = 1.2;
  double skip_frustration = 0.35;
  double skip_patience = 2.0;
  double quick_skip_share = 0.55;   // skips decided within the first seconds
  double quick_skip_mean_s = 6;     // mean dwell of a quick skip (exponential)

  // Exit hazard, decided before each next play: sigmoid(exit_bias + exit_frustration*frustration
  //   + exit_fatigue*fatigue + exit_over_target*z), z = (elapsed − target) / (target/4 + 1 min), clamped
  //   to [−1, 3]: how far past the session's target length the listener is. The clamp keeps frustration
  //   able to end a session long before its target.
  double exit_bias = -3.5;
  double exit_frustration = 1.0;
  double exit_fatigue = 0.8;
  double exit_over_target = 1.5;
  // How a session that ends does so (shares, normalised): stop while playing (`exit` event), pause and
  // never come back (no further events: the session times out), or let the last track end and stop
  // (after a skip, a quarter of these stop right away, the rest in the middle of the next track).
  double end_exit_mid_track = 0.3;
  double end_pause_abandon = 0.22;
  double end_after_track = 0.48;

  // Search after a play: sigmoid(search_bias + search_frustration*frustration + propensity).
  double search_bias = -2.4;
  double search_frustration = 0.8;
  int search_candidates = 30;  // tracks the listener looks through; it plays the best-matching one

  // Hidden state dynamics.
  double frustration_per_skip = 1.0;   // added on each skip
  double frustration_decay = 0.55;     // multiplied on each completed play
  double fatigue_per_hour = 0.9;       // × fatigue_sensitivity per listened hour
  double radio_drift = 0.18;           // chance a radio/autoplay pick leaves the current genre

  // Interruptions and feedback.
  double pause_rate = 0.06;
  double pause_median_s = 45;
  double seek_rate = 0.03;
  double seek_mismatch = 0.06;  // extra seek probability at full mismatch (looking for the good part)
  double like_rate = 0.05;      // × match² on completed plays
  double dislike_rate = 0.08;   // × mismatch² on skipped plays

  // Habits.
  double sessions_per_day_median = 1.6;
  double session_minutes_median = 34;  // per-listener preference; each session's target varies around it
  double session_minutes_sigma = 1.3;  // log-normal spread of a session's target length
  double brief_session_share = 0.25;   // quick check-ins: one track, often abandoned part-way

  // Recommendations (OfferRecommendations): accepted with p = sigmoid(rec_accept_slope*(match-rec_accept_at)).
  double rec_accept_at = 0.55;
  double rec_accept_slope = 10;
  int64_t rec_ttl_ms = 10 * 60 * 1000;  // an offer not acted on within this time is forgotten
};

}  // namespace segue::sim
