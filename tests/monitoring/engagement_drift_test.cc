// Hand-written listening through the real SessionTracker: the rates, their baselines (first full window)
// and the drift the gauges show.
#include "monitoring/engagement_drift.h"

#include <cmath>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "session/session_tracker.h"

namespace segue::monitoring {
namespace {

class EngagementDriftTest : public ::testing::Test {
 protected:
  // Two blocks of two plays / one session: windows of 2–4 plays and 1–2 sessions.
  EngagementDriftTest()
      : tracker_(&catalog_),
        drift_({.blocks = 2, .plays_per_block = 2, .sessions_per_block = 1}, &registry_,
               [this] { return training_; }) {}

  void Apply(const std::string& user, EventType type, const std::string& track = "") {
    LoggedEvent logged;
    logged.seq = ++seq_;
    logged.event.event_id = std::to_string(seq_);  // not "e" + ...: a GCC 12 -Wrestrict false positive
    logged.event.user_id = user;
    logged.event.type = type;
    logged.event.ts_ms = ts_ += 1000;
    logged.event.track_id = track;
    const ApplyOutcome outcome = tracker_.Apply(logged);
    ASSERT_TRUE(outcome.applied);
    drift_.OnEventApplied(logged, outcome);
  }
  void PlayThen(const std::string& user, EventType end) {
    Apply(user, EventType::kPlay, "t1");
    Apply(user, end, "t1");
  }

  Catalog catalog_;
  SessionTracker tracker_;
  metrics::Registry registry_;
  std::optional<EngagementCounts> training_;  // what the served bundle says (none until a test sets it)
  EngagementDrift drift_;
  uint64_t seq_ = 0;
  int64_t ts_ = 1'700'000'000'000;
};

TEST_F(EngagementDriftTest, SkipRateBaselineIsTheFirstFullWindowAndDriftFollows) {
  PlayThen("a", EventType::kSkip);
  PlayThen("a", EventType::kComplete);
  PlayThen("a", EventType::kComplete);
  EXPECT_DOUBLE_EQ(drift_.rates().skip_rate, 1.0 / 3.0);
  EXPECT_TRUE(std::isnan(drift_.rates().skip_baseline));  // 3 of the window's 4 plays seen
  PlayThen("a", EventType::kSkip);
  EXPECT_DOUBLE_EQ(drift_.rates().skip_baseline, 0.5);
  PlayThen("a", EventType::kSkip);  // window: complete, skip | skip
  PlayThen("a", EventType::kSkip);  // window: complete, skip | skip, skip
  EXPECT_DOUBLE_EQ(drift_.rates().skip_rate, 0.75);
  EXPECT_DOUBLE_EQ(drift_.rates().skip_baseline, 0.5);
  const std::string text = registry_.RenderText();
  EXPECT_NE(text.find("\nsegue_engagement_skip_rate 0.75\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nsegue_engagement_skip_rate_baseline 0.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nsegue_engagement_skip_rate_drift 0.25\n"), std::string::npos) << text;
}

TEST_F(EngagementDriftTest, ExitRateIsSessionsEndedByAnExitOverSessionsStarted) {
  PlayThen("a", EventType::kExit);      // session 1: exit
  PlayThen("b", EventType::kComplete);  // session 2: still going
  EXPECT_DOUBLE_EQ(drift_.rates().exit_rate, 0.5);
  EXPECT_DOUBLE_EQ(drift_.rates().exit_baseline, 0.5);
  Apply("b", EventType::kExit);  // counts in the current window (session 2's)
  EXPECT_DOUBLE_EQ(drift_.rates().exit_rate, 1.0);
  const std::string text = registry_.RenderText();
  EXPECT_NE(text.find("\nsegue_engagement_exit_rate_drift 0.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nsegue_engagement_skip_rate_baseline NaN\n"), std::string::npos) << text;
}

TEST_F(EngagementDriftTest, TheServedBundlesTrainingRatesAreTheBaselineWhenItHasThem) {
  PlayThen("a", EventType::kSkip);
  PlayThen("a", EventType::kComplete);
  EXPECT_FALSE(drift_.rates().baseline_from_bundle);
  training_ = EngagementCounts{.plays_ended = 10, .plays_skipped = 1, .sessions_started = 4, .sessions_exited = 1};
  EngagementRates r = drift_.rates();
  EXPECT_TRUE(r.baseline_from_bundle);
  EXPECT_DOUBLE_EQ(r.skip_baseline, 0.1);
  EXPECT_DOUBLE_EQ(r.exit_baseline, 0.25);
  const std::string text = registry_.RenderText();
  EXPECT_NE(text.find("\nsegue_engagement_skip_rate_drift 0.4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nsegue_engagement_baseline_from_bundle 1\n"), std::string::npos) << text;
  training_ = EngagementCounts{};  // a bundle without trials of a rate: back to the first window
  EXPECT_FALSE(drift_.rates().baseline_from_bundle);
}

}  // namespace
}  // namespace segue::monitoring
