#include "models/labels.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace segue {
namespace {

constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
using E = EventType;

std::vector<TimelineEvent> Timeline(std::initializer_list<std::pair<int64_t, EventType>> events) {
  std::vector<TimelineEvent> out;
  for (auto [ts, type] : events) out.push_back({ts, type});
  return out;
}

// `n` back-to-back completed 3-minute plays starting at `start`.
void AppendCompletedPlays(std::vector<TimelineEvent>* t, int64_t start, int n) {
  for (int i = 0; i < n; ++i) {
    t->push_back({start + i * 3 * kMin, E::kPlay});
    t->push_back({start + (i + 1) * 3 * kMin, E::kComplete});
  }
}

TEST(Labels, ContinuousPlayIsNegativeUntilTheSessionTimesOut) {
  std::vector<TimelineEvent> t;
  AppendCompletedPlays(&t, 0, 40);  // 120 minutes, then silence (a timeout)
  LabelConfig config;
  const auto labels = BuildLabels(t, config);
  ASSERT_EQ(labels.size(), 40u);  // one decision per completed play
  for (const DecisionLabel& l : labels) {
    const int64_t ts = t[l.event_index].ts_ms;
    // The session counts as left at its last event (120 min): positive iff that is within 30 min.
    EXPECT_EQ(l.positive, ts >= 90 * kMin) << ts / kMin;
    if (l.positive) {
      EXPECT_EQ(l.reasons, kReasonTimeout);
    }
  }
  config.horizon_ms = 5 * kMin;
  int positives = 0;
  for (const DecisionLabel& l : BuildLabels(t, config)) positives += l.positive;
  EXPECT_EQ(positives, 2);  // completes at 117 and 120 minutes
}

TEST(Labels, SkipBurstWithinTheNextPlays) {
  auto t = Timeline({{0, E::kPlay},
                     {3 * kMin, E::kComplete},  // 1: decision, followed by 3 skips in the next 3 plays
                     {3 * kMin, E::kPlay},
                     {3 * kMin + 10 * kSec, E::kSkip},  // 3
                     {3 * kMin + 10 * kSec, E::kPlay},
                     {3 * kMin + 20 * kSec, E::kSkip},  // 5
                     {3 * kMin + 20 * kSec, E::kPlay},
                     {3 * kMin + 30 * kSec, E::kSkip}});  // 7
  AppendCompletedPlays(&t, 4 * kMin, 30);                  // keeps the session alive for 90 minutes
  const auto labels = BuildLabels(t, LabelConfig{});
  ASSERT_GE(labels.size(), 4u);
  EXPECT_EQ(labels[0].event_index, 1u);
  EXPECT_TRUE(labels[0].positive);
  EXPECT_EQ(labels[0].reasons, kReasonSkipBurst);
  // After the first skip only two skips follow within the next five plays: negative.
  EXPECT_EQ(labels[1].event_index, 3u);
  EXPECT_FALSE(labels[1].positive);
  EXPECT_FALSE(labels[2].positive);

  LabelConfig two_skips;
  two_skips.burst_skips = 2;
  EXPECT_TRUE(BuildLabels(t, two_skips)[1].positive);
}

TEST(Labels, SkipBurstMustHappenWithinTheHorizon) {
  auto t = Timeline({{0, E::kPlay}, {3 * kMin, E::kComplete}});  // decision at 3 min
  // Three skipped plays, the third skip 20 minutes later (long listens before skipping).
  for (int i = 0; i < 3; ++i) {
    t.push_back({(3 + 6 * i) * kMin + kSec, E::kPlay});
    t.push_back({(3 + 6 * i + 6) * kMin, E::kSkip});
  }
  AppendCompletedPlays(&t, 22 * kMin, 30);
  LabelConfig config;
  EXPECT_TRUE(BuildLabels(t, config)[0].positive);
  config.horizon_ms = 10 * kMin;  // the third skip is at 21 minutes: outside (3, 13]
  EXPECT_FALSE(BuildLabels(t, config)[0].positive);
}

TEST(Labels, SearchAndExitAreOnlyCountedInTheSameSession) {
  auto t = Timeline({{0, E::kPlay},
                     {60 * kSec, E::kPause},   // 1: decision (pause)
                     {90 * kSec, E::kResume},
                     {200 * kSec, E::kComplete},  // 3: decision
                     {201 * kSec, E::kSearch},
                     {210 * kSec, E::kPlay},
                     {215 * kSec, E::kSkip},   // 6: decision
                     {216 * kSec, E::kExit},
                     {217 * kSec, E::kPlay},   // a new session right after the exit
                     {400 * kSec, E::kComplete}});
  AppendCompletedPlays(&t, 400 * kSec, 40);
  const auto labels = BuildLabels(t, LabelConfig{});
  ASSERT_EQ(labels[0].event_index, 1u);
  EXPECT_EQ(labels[0].reasons, kReasonSearch | kReasonExit);
  EXPECT_EQ(labels[0].ended_play, -1);  // a pause interrupts, it does not end the play
  EXPECT_EQ(labels[1].event_index, 3u);
  EXPECT_EQ(labels[1].reasons, kReasonSearch | kReasonExit);
  EXPECT_EQ(labels[2].event_index, 6u);
  EXPECT_EQ(labels[2].reasons, kReasonExit);  // the search was before it
  EXPECT_EQ(labels[2].session, 0u);
  EXPECT_EQ(labels[3].session, 1u);
  EXPECT_FALSE(labels[3].positive);  // the next session continues for two hours
}

TEST(Labels, TimeoutSplitsSessionsAndEndsTheFirstOne) {
  auto t = Timeline({{0, E::kPlay}, {3 * kMin, E::kComplete}, {34 * kMin, E::kSearch}, {35 * kMin, E::kPlay}});
  AppendCompletedPlays(&t, 36 * kMin, 30);
  const auto labels = BuildLabels(t, LabelConfig{});
  EXPECT_EQ(labels[0].reasons, kReasonTimeout);  // not the search: it belongs to the next session
}

TEST(Labels, ReplacedPlaysAndNextPlaySkipInfo) {
  auto t = Timeline({{0, E::kPlay},
                     {30 * kSec, E::kPlay},   // 1: replaces play 0
                     {40 * kSec, E::kSkip},   // 2: play 1 skipped
                     {50 * kSec, E::kPlay},
                     {60 * kSec, E::kSeek},   // 4: decision, no play ended
                     {250 * kSec, E::kComplete},  // 5: last play of the session
                     {251 * kSec, E::kExit}});
  const auto labels = BuildLabels(t, LabelConfig{});
  ASSERT_EQ(labels.size(), 4u);
  EXPECT_EQ(labels[0].ended_play, 0);
  EXPECT_EQ(labels[0].next_play_skipped, 1);
  EXPECT_EQ(labels[1].ended_play, 1);
  EXPECT_EQ(labels[1].next_play_skipped, 0);
  EXPECT_EQ(labels[2].ended_play, -1);
  EXPECT_EQ(labels[3].ended_play, 2);
  EXPECT_EQ(labels[3].next_play_skipped, -1);
  EXPECT_EQ(SessionPlaySkips(t, LabelConfig{}), (std::vector<std::vector<uint8_t>>{{0, 1, 0}}));
}

TEST(Labels, EventsWithoutAnOngoingPlayAreNotDecisionPoints) {
  auto t = Timeline({{0, E::kSkip}, {1 * kSec, E::kComplete}, {2 * kSec, E::kPause}, {3 * kSec, E::kSearch}});
  EXPECT_TRUE(BuildLabels(t, LabelConfig{}).empty());
}

TEST(Labels, ConfigValidationNamesTheField) {
  LabelConfig config;
  EXPECT_TRUE(ValidateLabelConfig(config).ok());
  config.burst_skips = 6;
  Status s = ValidateLabelConfig(config);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("burst_skips"), std::string::npos);
  config = LabelConfig{};
  config.horizon_ms = 0;
  EXPECT_NE(ValidateLabelConfig(config).message().find("horizon"), std::string::npos);
}

}  // namespace
}  // namespace segue
