#include "models/trigger_replay.h"

#include <gtest/gtest.h>

#include <vector>

namespace segue {
namespace {

ExampleInfo Point(uint32_t user, uint32_t session, int64_t minute, uint8_t label) {
  ExampleInfo info;
  info.user = user;
  info.session = session;
  info.ts_ms = minute * 60'000;
  info.label = label;
  return info;
}

TEST(TriggerReplay, FiresOnUpwardCrossingsPerListenerAndCountsListeningHours) {
  EvalTable t;
  // Listener 0: one 60-minute session; the score crosses up at minute 10 (positive), stays high, drops,
  // crosses again at minute 50 (negative). Listener 1: a 30-minute session, crossing at minute 0 while
  // listener 0's state is high (separate state per listener).
  t.info = {Point(0, 0, 0, 0), Point(0, 0, 10, 1), Point(0, 0, 20, 1), Point(0, 0, 30, 0), Point(0, 0, 50, 0),
            Point(0, 0, 60, 0), Point(1, 1, 0, 1),  Point(1, 1, 30, 1)};
  const std::vector<size_t> positions = {0, 1, 2, 3, 4, 5, 6, 7};
  const std::vector<float> score = {0.1f, 0.8f, 0.9f, 0.2f, 0.7f, 0.1f, 0.9f, 0.9f};
  const std::vector<float> threshold(score.size(), 0.5f);
  const TriggerReplay r = ReplayTriggers(t, positions, score, threshold, TriggerOptions{});
  EXPECT_EQ(r.triggers, 3u);
  EXPECT_EQ(r.right, 2u);
  EXPECT_EQ(r.listeners, 2u);
  EXPECT_EQ(r.sessions, 2u);
  EXPECT_DOUBLE_EQ(r.listener_hours, 1.5);
  EXPECT_DOUBLE_EQ(r.per_listener_hour(), 2.0);
  EXPECT_DOUBLE_EQ(r.precision(), 2.0 / 3.0);
}

TEST(TriggerReplay, AThresholdTheServerRefusesIsNotReplayed) {
  EvalTable t;
  t.info = {Point(0, 0, 0, 1), Point(0, 0, 30, 1), Point(1, 1, 0, 1), Point(1, 1, 60, 1)};
  const std::vector<size_t> positions = {0, 1, 2, 3};
  const std::vector<float> score = {0.9f, 0.9f, 0.9f, 0.9f};
  const std::vector<float> threshold = {0.05f, 0.05f, 0.5f, 0.5f};  // 0.05 is not above the 0.1 hysteresis
  const TriggerReplay r = ReplayTriggers(t, positions, score, threshold, TriggerOptions{});
  EXPECT_EQ(r.unservable, 2u);
  EXPECT_EQ(r.triggers, 1u);
  EXPECT_EQ(r.listeners, 1u);
  EXPECT_DOUBLE_EQ(r.listener_hours, 1.0);
}

}  // namespace
}  // namespace segue
