// The simulator's default parameters against the real histories, measured with the label's own rules
// (HistoryStats, what `segue data stats` prints). Targets: `segue data stats` on Spotify extended listeners
// B and C, imported from ../shared/data (docs/data.md "Simulator calibration"):
//   segue import spotify-history ../shared/data/spotify-history/extended/listener-b
//       ../shared/data/spotify-history/extended/listener-c --out bc.ndjson   (one command)
//   segue data stats bc.ndjson
// 2 listeners, 314 sessions, 2,244 decision points. The targets are written here (the data is not in the
// repository); the tolerances are about the spread between the two real listeners (B 0.859, C 0.888 at
// H = 30). One seeded population (1,000 listeners × 7 days, ~96,000 decision points): the figures are
// exact for the seed (0.875 / 0.694 / 0.602 at H = 30 / 10 / 5); across seeds 1–5 they range over
// 0.864–0.880 / 0.676–0.694 / 0.580–0.602, the session-minute median over 5.1–5.3.
#include <gtest/gtest.h>

#include "models/history_stats.h"
#include "sim/simulator.h"

namespace segue::sim {
namespace {

constexpr int64_t kMinuteMs = 60'000;

const HistoryStats& Simulated() {
  static const HistoryStats* stats = [] {
    SimConfig config;  // the defaults `segue simulate` uses
    config.users = 1000;
    config.days = 7;
    config.seed = 1;
    Simulator sim(config);
    VectorSink sink;
    EXPECT_TRUE(sim.Run(sink).ok());
    return new HistoryStats(
        HistoryStatsOfEvents(std::move(sink.events()), LabelConfig{}, {30 * kMinuteMs, 10 * kMinuteMs, 5 * kMinuteMs}));
  }();
  return *stats;
}

double PositiveRate(size_t horizon) {
  const HistoryStats& s = Simulated();
  return static_cast<double>(s.horizons.at(horizon).positives) / static_cast<double>(s.decision_points);
}

TEST(SimCalibrationTest, PopulationIsLargeEnough) {
  EXPECT_GT(Simulated().decision_points, 50'000u);
  EXPECT_GT(Simulated().sessions, 10'000u);
}

// The default horizon: real B+C 0.877 (B 0.859, C 0.888); ±0.03.
TEST(SimCalibrationTest, PositiveRateAtThirtyMinutes) { EXPECT_NEAR(PositiveRate(0), 0.877, 0.03); }

// Shorter horizons: real B+C 0.663 at 10 min (B 0.573, C 0.719) and 0.562 at 5 min (B 0.423, C 0.650);
// ±0.05 (the two listeners are 0.15–0.23 apart here).
TEST(SimCalibrationTest, PositiveRateAtShorterHorizons) {
  EXPECT_NEAR(PositiveRate(1), 0.663, 0.05);
  EXPECT_NEAR(PositiveRate(2), 0.562, 0.05);
}

// Session minutes (first to last event, sessions cut by exit or 30 minutes of silence): real B+C median
// 5.9, p75 20.3, p90 41.1 (B 3.3 / 18.7 / 34.6, C 8.1 / 24.8 / 43.3); each within ±25 %.
TEST(SimCalibrationTest, SessionLengthQuantiles) {
  const Quantiles& q = Simulated().session_minutes;
  EXPECT_NEAR(q.p50, 5.9, 0.25 * 5.9);
  EXPECT_NEAR(q.p75, 20.3, 0.25 * 20.3);
  EXPECT_NEAR(q.p90, 41.1, 0.25 * 41.1);
}

// Plays per session: real B+C median 4, p90 18; single-play sessions 0.379.
TEST(SimCalibrationTest, PlaysPerSession) {
  const HistoryStats& s = Simulated();
  EXPECT_NEAR(s.session_plays.p50, 4, 1);
  EXPECT_NEAR(s.session_plays.p90, 18, 4);
  EXPECT_NEAR(static_cast<double>(s.single_play_sessions) / static_cast<double>(s.sessions), 0.379, 0.05);
}

}  // namespace
}  // namespace segue::sim
