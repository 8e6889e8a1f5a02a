#include "models/history_stats.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace segue {
namespace {

constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
using E = EventType;

struct Spec {
  const char* user;
  int64_t ts;
  EventType type;
};

std::vector<Event> Events(const std::vector<Spec>& specs) {
  std::vector<Event> out;
  for (const Spec& s : specs) {
    Event e;
    e.event_id = std::to_string(out.size());
    e.user_id = s.user;
    e.type = s.type;
    e.ts_ms = s.ts;
    out.push_back(e);
  }
  return out;
}

// Listener "a": three sessions, hand-labelled.
//   1: play 0 s, skip 10 s, search 20 s, play 30 s, complete 3:30, play 3:30, exit 4:30  (ended by exit)
//   2: play 10:00, pause 11:00, then silence                                          (left paused)
//   3: play 120:00, complete 123:00, play 123:00, complete 126:00                     (timed out)
// Listener "b": play 0, complete 3:00. Listed out of order and interleaved: the stats sort by listener and time.
std::vector<Event> HandMade() {
  return Events({{"b", 3 * kMin, E::kComplete},
                 {"a", 0, E::kPlay},
                 {"a", 10 * kSec, E::kSkip},
                 {"b", 0, E::kPlay},
                 {"a", 20 * kSec, E::kSearch},
                 {"a", 30 * kSec, E::kPlay},
                 {"a", 210 * kSec, E::kComplete},
                 {"a", 210 * kSec, E::kPlay},
                 {"a", 270 * kSec, E::kExit},
                 {"a", 120 * kMin, E::kPlay},
                 {"a", 123 * kMin, E::kComplete},
                 {"a", 123 * kMin, E::kPlay},
                 {"a", 126 * kMin, E::kComplete},
                 {"a", 10 * kMin, E::kPlay},
                 {"a", 11 * kMin, E::kPause}});
}

TEST(HistoryStats, CountsSessionsPlaysAndEndsByTheLabelRules) {
  const HistoryStats s = HistoryStatsOfEvents(HandMade(), LabelConfig{}, {30 * kMin, 1 * kMin});
  EXPECT_EQ(s.listeners, 2u);
  EXPECT_EQ(s.events, 15u);
  EXPECT_EQ(s.sessions, 4u);
  EXPECT_EQ(s.plays, 7u);
  EXPECT_EQ(s.skipped_plays, 1u);  // the play ended by `exit` is not a skip
  EXPECT_EQ(s.searches, 1u);
  EXPECT_EQ(s.pauses, 1u);
  EXPECT_EQ(s.exit_sessions, 1u);
  EXPECT_EQ(s.paused_end_sessions, 1u);
  EXPECT_EQ(s.single_play_sessions, 2u);  // a's second, b's only
  EXPECT_EQ(s.search_sessions, 1u);
  // Decision points: a's skip, complete, pause, two completes; b's complete.
  EXPECT_EQ(s.decision_points, 6u);
}

TEST(HistoryStats, QuantilesOfSessionsAndGaps) {
  const HistoryStats s = HistoryStatsOfEvents(HandMade(), LabelConfig{}, {30 * kMin});
  // Session minutes: a 4.5, 1, 6; b 3 → sorted 1, 3, 4.5, 6.
  EXPECT_DOUBLE_EQ(s.session_minutes.mean, 14.5 / 4);
  EXPECT_DOUBLE_EQ(s.session_minutes.p50, 3.75);
  EXPECT_DOUBLE_EQ(s.session_minutes.p25, 2.5);        // 1 + 0.75 × (3 − 1)
  EXPECT_DOUBLE_EQ(s.session_minutes.p90, 4.5 + 0.7 * 1.5);
  EXPECT_DOUBLE_EQ(s.session_events.p50, 3);           // 7, 2, 4, 2 → 2, 2, 4, 7
  EXPECT_DOUBLE_EQ(s.session_plays.mean, 7.0 / 4);
  // Gaps between a's sessions only (b has one): 4:30 → 10:00 and 11:00 → 120:00.
  EXPECT_NEAR(s.gap_hours.p10, 5.5 / 60 + 0.1 * (109.0 - 5.5) / 60, 1e-12);
  EXPECT_NEAR(s.gap_hours.mean, (5.5 + 109.0) / 2 / 60, 1e-12);
}

TEST(HistoryStats, PositivesPerHorizonWithReasons) {
  const HistoryStats s = HistoryStatsOfEvents(HandMade(), LabelConfig{}, {30 * kMin, 1 * kMin});
  ASSERT_EQ(s.horizons.size(), 2u);
  // H = 30: every decision point is within 30 minutes of its session's end.
  EXPECT_EQ(s.horizons[0].positives, 6u);
  EXPECT_EQ(s.horizons[0].by_exit, 6u);
  EXPECT_EQ(s.horizons[0].by_search, 1u);
  // H = 1 min: the skip at 10 s only by the search at 20 s (the exit is at 4:30); a's complete at 123:00 is
  // 3 minutes before its session's end: negative. b's complete is its session's last event.
  EXPECT_EQ(s.horizons[1].horizon_ms, 1 * kMin);
  EXPECT_EQ(s.horizons[1].positives, 5u);
  EXPECT_EQ(s.horizons[1].by_exit, 4u);
  EXPECT_EQ(s.horizons[1].by_search, 1u);
  EXPECT_EQ(s.horizons[1].by_burst, 0u);
}

TEST(HistoryStats, JsonCarriesRatesAndHorizons) {
  const HistoryStats s = HistoryStatsOfEvents(HandMade(), LabelConfig{}, {30 * kMin, 1 * kMin});
  const std::string json = HistoryStatsJson(s);
  EXPECT_NE(json.find("\"skip_rate\":0.14285714285714285"), std::string::npos) << json;
  EXPECT_NE(json.find("\"horizon_min\":1.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"positive_rate\":0.8333333333333334"), std::string::npos) << json;
}

TEST(HistoryStats, EmptyInputGivesZeros) {
  const HistoryStats s = HistoryStatsOfEvents({}, LabelConfig{}, {30 * kMin});
  EXPECT_EQ(s.sessions, 0u);
  EXPECT_EQ(s.horizons[0].positives, 0u);
  EXPECT_DOUBLE_EQ(s.session_minutes.p90, 0);
}

}  // namespace
}  // namespace segue
