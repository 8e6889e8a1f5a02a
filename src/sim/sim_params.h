// Every tunable number of the simulator in one place, with the defaults calibrated against real Spotify
// extended histories (docs/data.md, "Simulator calibration"): the label's positive rate at H = 30 / 10 / 5
// minutes and the session-length quantiles as `segue data stats` measures them on listeners B and C
// (tests/sim/calibration_test.cc holds the targets). Plain value types.
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
  //                    + skip_frustration*frustration - skip_patience*(patience-0.5)
  //                    + hands_on_skip in a hands-on session).
  double skip_bias = -1.2;
  double skip_mismatch = 7.0;
  double skip_fatigue = 0.9;
  double skip_frustration = 1.5;
  double skip_patience = 2.0;
  double quick_skip_share = 0.55;   // skips decided within the first seconds
  double quick_skip_share_in_streak = 0.9;  // the same right after a skip (skimming through tracks)
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
  // Interruptions (per play): an `exit` mid-track, then the listener is back after a log-normal gap (capped
  // below the 30-minute timeout) and goes on; real extended exports are full of them (logout /
  // unexpected-exit followed by a play minutes later).
  double interrupt_rate = 0.05;
  double interrupt_gap_median_s = 120;

  // Search after a play: sigmoid(search_bias + search_frustration*frustration + propensity
  //                              + hands_on_search in a hands-on session).
  double search_bias = -9.0;
  double search_frustration = 2.0;
  // Spread of the listener's own search logit offset: wide, because real listeners either pick most tracks
  // by hand or almost never search (C: 0.50 searches per play, B: 0.02); with the low bias, lean-back
  // sessions stay free of searches as in the real histories.
  double search_propensity_sd = 2.5;
  // Sessions are lean-back (playlists, radio: few searches, few skips, long) or hands-on (picking tracks
  // by hand, skimming: searches and skips, short), as C's short search-and-skip sessions and both real
  // listeners' calm long ones. A session is hands-on with p = sigmoid(hands_on_bias + the listener's search
  // offset); then hands_on_search and hands_on_skip are added to the search and skip logits and the
  // session's target length is multiplied by hands_on_length.
  double hands_on_bias = -1.5;
  double hands_on_search = 4.0;
  double hands_on_skip = 3.5;
  double hands_on_length = 0.3;
  int search_candidates = 30;  // tracks the listener looks through; it plays the best-matching one
  double search_relief = 0.1;  // frustration is multiplied by this after a search (found what they wanted)

  // Hidden state dynamics.
  double frustration_per_skip = 1.0;   // added on each skip
  double frustration_decay = 0.55;     // multiplied on each completed play
  double fatigue_per_hour = 0.9;       // × fatigue_sensitivity per listened hour
  double radio_drift = 0.08;           // chance a radio/autoplay pick leaves the current genre

  // Interruptions and feedback.
  double pause_rate = 0.06;
  double pause_median_s = 45;
  double seek_rate = 0.03;
  double seek_mismatch = 0.06;  // extra seek probability at full mismatch (looking for the good part)
  double like_rate = 0.05;      // × match² on completed plays
  double dislike_rate = 0.08;   // × mismatch² on skipped plays

  // Habits.
  double sessions_per_day_median = 1.6;
  // Per-listener preference; each session's target varies around it. Long, because frustration, fatigue
  // and interruptions cut most sittings well before their target (realised median about 6 minutes).
  double session_minutes_median = 150;
  double session_minutes_sigma = 1.3;  // log-normal spread of a session's target length
  double brief_session_share = 0.5;   // quick check-ins: one track, often abandoned part-way

  // Recommendations (OfferRecommendations): accepted with p = sigmoid(rec_accept_slope*(match-rec_accept_at)).
  double rec_accept_at = 0.55;
  double rec_accept_slope = 10;
  int64_t rec_ttl_ms = 10 * 60 * 1000;  // an offer not acted on within this time is forgotten
};

}  // namespace segue::sim
