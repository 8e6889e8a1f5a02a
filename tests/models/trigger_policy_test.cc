#include "models/trigger_policy.h"

#include <gtest/gtest.h>

#include <limits>

namespace segue {
namespace {

constexpr int64_t kMin = 60 * 1000;

TEST(TriggerPolicy, FiresOnceOnUpwardCrossingAndReArmsOnlyBelowHysteresis) {
  TriggerPolicy policy({.threshold = 0.6f, .hysteresis = 0.1f, .cooldown_ms = 0});
  TriggerState s;
  EXPECT_EQ(policy.Observe(s, 0.3f, 1 * kMin), TriggerDecision::kNone);
  EXPECT_EQ(policy.Observe(s, 0.65f, 2 * kMin), TriggerDecision::kFire);
  // Hovering around the threshold: no re-fire while above threshold - hysteresis.
  EXPECT_EQ(policy.Observe(s, 0.7f, 3 * kMin), TriggerDecision::kNone);
  EXPECT_EQ(policy.Observe(s, 0.55f, 4 * kMin), TriggerDecision::kNone);
  EXPECT_EQ(policy.Observe(s, 0.62f, 5 * kMin), TriggerDecision::kNone);
  // Falls below 0.5: re-armed; the next crossing fires.
  EXPECT_EQ(policy.Observe(s, 0.45f, 6 * kMin), TriggerDecision::kNone);
  EXPECT_TRUE(s.armed);
  EXPECT_EQ(policy.Observe(s, 0.61f, 7 * kMin), TriggerDecision::kFire);
}

TEST(TriggerPolicy, CooldownSuppressesCrossingsAndDisarms) {
  TriggerPolicy policy({.threshold = 0.5f, .hysteresis = 0.05f, .cooldown_ms = 10 * kMin});
  TriggerState s;
  EXPECT_EQ(policy.Observe(s, 0.9f, 0), TriggerDecision::kFire);
  EXPECT_EQ(policy.Observe(s, 0.1f, 1 * kMin), TriggerDecision::kNone);  // re-armed
  EXPECT_EQ(policy.Observe(s, 0.9f, 2 * kMin), TriggerDecision::kSuppressedByCooldown);
  EXPECT_EQ(s.suppressed, 1u);
  // Still high after the cooldown: no fire, the crossing was consumed; a fresh crossing fires.
  EXPECT_EQ(policy.Observe(s, 0.9f, 12 * kMin), TriggerDecision::kNone);
  EXPECT_EQ(policy.Observe(s, 0.2f, 13 * kMin), TriggerDecision::kNone);
  EXPECT_EQ(policy.Observe(s, 0.8f, 14 * kMin), TriggerDecision::kFire);
  EXPECT_EQ(s.last_fire_ms, 14 * kMin);
}

TEST(TriggerPolicy, LowScoresNeverFireAndBadScoresAreIgnored) {
  TriggerPolicy policy({.threshold = 0.5f, .hysteresis = 0.1f, .cooldown_ms = kMin});
  TriggerState s;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(policy.Observe(s, 0.49f * static_cast<float>(i % 7) / 6.f, i * kMin), TriggerDecision::kNone);
  }
  EXPECT_EQ(policy.Observe(s, std::numeric_limits<float>::quiet_NaN(), 0), TriggerDecision::kNone);
  EXPECT_TRUE(s.armed);
}

TEST(TriggerPolicy, ValidatesOptions) {
  EXPECT_TRUE(ValidateTriggerOptions({.threshold = 0.6f, .hysteresis = 0.1f, .cooldown_ms = 0}).ok());
  EXPECT_FALSE(ValidateTriggerOptions({.threshold = 0.f, .hysteresis = 0.f, .cooldown_ms = 0}).ok());
  EXPECT_FALSE(ValidateTriggerOptions({.threshold = 0.3f, .hysteresis = 0.4f, .cooldown_ms = 0}).ok());
  EXPECT_FALSE(ValidateTriggerOptions({.threshold = 0.3f, .hysteresis = 0.1f, .cooldown_ms = -1}).ok());
}

}  // namespace
}  // namespace segue
