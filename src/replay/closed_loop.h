// The closed loop: the simulator's listeners live against a running `segue serve`. Their events are posted
// over HTTP as event time advances (faster than wall time, always in the past); every listener holds a push
// stream (SSE), and a push (the server's recommendations when its disengagement trigger fires) becomes
// `Listener::OfferRecommendations` on that listener, which may then play one of the tracks with
// context.rec_id (sim/listener.h). What the listeners do is measured on the client side.
//
// Contract:
//  - Event time runs from the simulator's next action up to `until_ms` in ticks of `tick_ms`; a tick that
//    would end after the wall clock waits for it (no event is ever in the future). Within a tick the
//    simulator runs in rounds (Simulator::RunRound: at most one action per listener per round); each
//    round's events are posted in requests of up to `max_batch` events on one keep-alive connection, every
//    one must be answered 202 (otherwise the run stops with the error), then the driver waits `push_grace`
//    of wall time and hands every push that arrived to its listener. A listener's next action is therefore
//    taken only after the server had that long to answer its previous ones: a push is "in time" when it
//    names (trigger_event_id) an event of the round just posted, "late" when it names one of an earlier
//    round (still offered; the listener may have moved on), "unmatched" when it names none this run sent
//    (e.g. a trigger on an event sent before the run: wait for the server's pipeline to catch up first).
//  - Push streams: one connection per listener, all read by one thread (replay/push_listeners.h); the
//    server must admit listener_count() + 2 connections from this address ([http] max_connections_per_client).
//  - Arms: `arm_of(i)` puts listener i in one of `arms` (the demo passes the server's own assignment,
//    experiments/assignment.h, so the figures are a client-side cross-check of the server's report).
//  - Sessions are counted from the events the way the server cuts them: a session starts at a listener's
//    first event after 30 minutes of silence (or after an exit) and ends with an exit or that silence;
//    only sessions that start during the run count; one still open at the end counts with its length so far
//    (the server counts a timed-out session only once the listener's next event shows it ended).
//    Exit rate = sessions that end with an `exit` event / sessions; session length from first to last
//    event. Both are ratios with the listener as the unit and delta-method intervals, as the server's
//    report computes them (experiments/ratio_estimate.h).
//  - Recommendation quality: the hidden match (Listener::Match, 0..1) of the offered tracks, of the tracks
//    accepted, and of as many random tracks (uniform over the catalog, and drawn by popularity) for the
//    same listeners.
//  - A push whose items name no track of the simulator's catalog is counted (pushes_without_tracks), not
//    offered.
//  - Every `get_every_sessions`-th session start, the driver also GETs that listener's recommendations
//    (measured, not offered).
// Thread-safety: RunClosedLoop runs on the calling thread (plus the push streams' thread); the simulator
// must not be touched by anyone else meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "experiments/ratio_estimate.h"
#include "replay/latency_percentiles.h"
#include "sim/simulator.h"

namespace segue {

struct ClosedLoopOptions {
  std::string host;
  std::string port;
  int64_t until_ms = 0;
  int64_t tick_ms = 5'000;
  std::chrono::milliseconds push_grace{3};
  size_t max_batch = 1000;
  uint32_t get_every_sessions = 4;  // 0: no GETs
  std::vector<std::string> arms = {"all"};
  std::function<size_t(size_t listener)> arm_of;  // empty: every listener in arms[0]
  bool progress = false;  // a line on stderr every 5 s of wall time
};

struct ClosedLoopArm {
  std::string name;
  uint64_t listeners = 0;
  uint64_t sessions = 0;
  uint64_t pushes = 0;    // pushes that reached this arm's listeners
  uint64_t accepted = 0;  // plays carrying a rec_id
  // Per listener with sessions: x = sessions, y = exits / summed session length (ms).
  experiments::RatioSums exits, lengths;

  experiments::Estimate exit_rate() const { return experiments::EstimateRatio(exits); }
  experiments::Estimate session_length_ms() const { return experiments::EstimateRatio(lengths); }
};

struct ClosedLoopReport {
  double wall_s = 0;
  int64_t from_ms = 0, until_ms = 0;  // event time covered
  uint64_t listeners = 0;
  uint64_t rounds = 0;
  uint64_t events = 0, requests = 0, duplicates = 0, rejected = 0;
  LatencyPercentiles acks;
  uint64_t gets = 0, get_failures = 0;
  LatencyPercentiles get_latency;
  uint64_t pushes = 0, pushes_in_time = 0, pushes_late = 0, pushes_unmatched = 0, streams_ended = 0;
  LatencyPercentiles event_to_push;  // the trigger event's request written → push read
  uint64_t offers = 0, accepted = 0;
  uint64_t pushes_without_tracks = 0;  // not offered: no item of the simulator's catalog (or not a push object)
  double offered_match = 0, accepted_match = 0, random_match = 0, popular_match = 0;  // means
  std::vector<ClosedLoopArm> arms;
};

Result<ClosedLoopReport> RunClosedLoop(sim::Simulator& sim, const ClosedLoopOptions& options);

}  // namespace segue
