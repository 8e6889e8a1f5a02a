// History statistics: what the disengagement label of a listening history depends on, measured with the
// label's own rules (labels.h), so that real exports and simulated streams can be compared figure by
// figure (`segue data stats`, docs/data.md "Simulator calibration").
//
// Contract:
//  - Input: listener timelines (events of one listener sorted by time, as PrepareListenerTimelines
//    leaves them), added one listener at a time. Sessions and skipped plays are exactly those of
//    SessionSpans / SessionPlaySkips; positives are BuildLabels' at each requested horizon (same burst
//    and timeout settings otherwise).
//  - Session length = time from its first to its last event; gap = from a session's last event to the
//    listener's next session's first event. Quantiles interpolate linearly between order statistics
//    (numpy's default); all figures of an empty population are 0.
//  - Memory: the builder keeps one value per session for the quantiles (a few bytes each), nothing per
//    event; HistoryStatsOfEvents holds the events it is given.
// Thread-safety: a HistoryStatsBuilder is not thread-safe; Finish() does not change it (more listeners may
// be added afterwards). The free functions are reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "events/event.h"
#include "models/labels.h"

namespace segue {

struct Quantiles {
  double mean = 0;
  double p10 = 0, p25 = 0, p50 = 0, p75 = 0, p90 = 0;
};
Quantiles QuantilesOf(std::vector<double> values);

struct HorizonRate {
  int64_t horizon_ms = 0;
  size_t positives = 0;
  // Decision points positive for each reason (a point may have several).
  size_t by_exit = 0;    // exit event or timeout (kReasonExit | kReasonTimeout)
  size_t by_search = 0;
  size_t by_burst = 0;
};

struct HistoryStats {
  size_t listeners = 0;
  size_t events = 0;
  size_t sessions = 0;
  size_t plays = 0;
  size_t skipped_plays = 0;     // a `skip` before the next play / exit / session end
  size_t searches = 0;          // `search` events
  size_t pauses = 0;            // `pause` events
  size_t exit_sessions = 0;     // sessions ended by an `exit` event (the rest time out)
  size_t paused_end_sessions = 0;  // sessions whose last event is a `pause` (left paused)
  size_t single_play_sessions = 0;
  size_t search_sessions = 0;   // sessions with at least one search
  size_t decision_points = 0;
  Quantiles session_events;
  Quantiles session_plays;
  Quantiles session_minutes;
  Quantiles gap_hours;          // between consecutive sessions of a listener
  std::vector<HorizonRate> horizons;  // in the order requested
};

class HistoryStatsBuilder {
 public:
  // `config` gives the session timeout and burst rule; `horizons_ms` the horizons to label at.
  HistoryStatsBuilder(LabelConfig config, std::vector<int64_t> horizons_ms);
  void AddListener(const std::vector<TimelineEvent>& timeline);
  HistoryStats Finish() const;

 private:
  void AddSessions(const std::vector<TimelineEvent>& timeline);
  void AddLabels(const std::vector<TimelineEvent>& timeline);

  LabelConfig config_;
  HistoryStats stats_;
  std::vector<double> session_events_, session_plays_, session_minutes_, gap_hours_;
};

// The statistics of a whole events file: `events` (consumed) are de-duplicated and grouped into listener
// timelines (PrepareListenerTimelines), then added listener by listener.
HistoryStats HistoryStatsOfEvents(std::vector<Event> events, const LabelConfig& config,
                                  const std::vector<int64_t>& horizons_ms);

// The statistics as one JSON object (keys as the struct's fields; rates as fractions of their population;
// each horizon as {"horizon_min", "positive_rate", "exit_rate", "search_rate", "burst_rate"}).
std::string HistoryStatsJson(const HistoryStats& stats);
// The same figures as a few human-readable lines.
std::string HistoryStatsText(const HistoryStats& stats);

}  // namespace segue
