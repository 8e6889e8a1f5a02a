#include "push/push_hub.h"

#include <atomic>
#include <string>

#include <gtest/gtest.h>

namespace segue::push {
namespace {

// Built with append: GCC 12 warns (-Wrestrict, a false positive) on the chained operator+ form.
std::string Json(const std::string& rec_id) {
  std::string json = "{\"rec_id\":\"";
  json.append(rec_id).append("\"}");
  return json;
}

PushMessagePtr Msg(const std::string& user, const std::string& rec_id) {
  return std::make_shared<const PushMessage>(PushMessage{user, rec_id, Json(rec_id)});
}

std::vector<std::string> RecIds(const std::vector<PushMessagePtr>& messages) {
  std::vector<std::string> ids;
  for (const auto& m : messages) ids.push_back(m->rec_id);
  return ids;
}

TEST(PushHub, DeliversToEverySubscriberOfTheListenerOnly) {
  metrics::Registry registry;
  PushHub hub({}, registry);
  auto a1 = hub.Subscribe("a");
  auto a2 = hub.Subscribe("a");
  auto b = hub.Subscribe("b");
  ASSERT_TRUE(a1.ok() && a2.ok() && b.ok());
  PublishResult r = hub.Publish(Msg("a", "r1"));
  EXPECT_EQ(r.subscribers, 2u);
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_EQ(RecIds(a1->subscriber().Drain()), std::vector<std::string>{"r1"});
  EXPECT_EQ(RecIds(a2->subscriber().Drain()), std::vector<std::string>{"r1"});
  EXPECT_TRUE(b->subscriber().Drain().empty());
  EXPECT_EQ(hub.Publish(Msg("nobody", "r2")).subscribers, 0u);
}

TEST(PushHub, AFullBufferDropsTheOldestAndCountsIt) {
  metrics::Registry registry;
  PushHub hub({.buffer_messages = 2, .disconnect_after_drops = 0}, registry);
  auto sub = hub.Subscribe("a");
  ASSERT_TRUE(sub.ok());
  for (int i = 1; i <= 5; ++i) hub.Publish(Msg("a", std::string("r").append(std::to_string(i))));
  EXPECT_EQ(RecIds(sub->subscriber().Drain()), (std::vector<std::string>{"r4", "r5"}));
  EXPECT_NE(registry.RenderText().find("segue_push_dropped_total{reason=\"buffer_full\"} 3"), std::string::npos)
      << registry.RenderText();
}

TEST(PushHub, ASubscriberThatNeverDrainsDoesNotSlowPublishAndIsLetGo) {
  metrics::Registry registry;
  PushHub hub({.buffer_messages = 4, .disconnect_after_drops = 100}, registry);
  auto stuck = hub.Subscribe("a");
  auto healthy = hub.Subscribe("a");
  ASSERT_TRUE(stuck.ok() && healthy.ok());
  size_t dropped = 0;
  for (int i = 0; i < 50; ++i) {
    dropped += hub.Publish(Msg("a", std::to_string(i))).dropped;
    healthy->subscriber().Drain();  // keeps up
  }
  EXPECT_EQ(dropped, 46u);  // all stuck's, none of healthy's
  EXPECT_FALSE(stuck->subscriber().closed());
  for (int i = 0; i < 60; ++i) hub.Publish(Msg("a", "more"));
  EXPECT_TRUE(stuck->subscriber().closed()) << "100 drops in a row let it go";
  EXPECT_EQ(hub.subscriber_count(), 1u) << "healthy (56 drops in a row so far) stays";
}

TEST(PushHub, WakesOnlyWhenTheBufferBecomesNonEmptyAndOnClose) {
  metrics::Registry registry;
  PushHub hub({.buffer_messages = 8, .disconnect_after_drops = 0}, registry);
  auto sub = hub.Subscribe("a");
  ASSERT_TRUE(sub.ok());
  hub.Publish(Msg("a", "before"));
  std::atomic<int> wakes{0};
  sub->subscriber().SetWake([&] { ++wakes; });
  EXPECT_EQ(wakes, 1) << "a message was already waiting";
  hub.Publish(Msg("a", "r2"));
  EXPECT_EQ(wakes, 1);
  sub->subscriber().Drain();
  hub.Publish(Msg("a", "r3"));
  EXPECT_EQ(wakes, 2);
  sub->subscriber().Close();
  EXPECT_EQ(wakes, 3);
}

TEST(PushHub, SubscriberBoundsAreRefused) {
  metrics::Registry registry;
  PushHub hub({.max_subscribers_per_listener = 2, .max_subscribers = 3}, registry);
  auto a1 = hub.Subscribe("a");
  auto a2 = hub.Subscribe("a");
  auto a3 = hub.Subscribe("a");
  ASSERT_TRUE(a1.ok() && a2.ok());
  EXPECT_EQ(a3.status().code(), StatusCode::kResourceExhausted);
  auto b1 = hub.Subscribe("b");
  auto c1 = hub.Subscribe("c");
  ASSERT_TRUE(b1.ok());
  EXPECT_EQ(c1.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(hub.subscriber_count(), 3u);
}

TEST(PushHub, DestroyingTheSubscriptionUnsubscribes) {
  metrics::Registry registry;
  PushHub hub({.max_subscribers_per_listener = 1}, registry);
  {
    auto a = hub.Subscribe("a");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(hub.subscriber_count(), 1u);
    EXPECT_FALSE(hub.Subscribe("a").ok());
  }
  EXPECT_EQ(hub.subscriber_count(), 0u);
  EXPECT_EQ(hub.Publish(Msg("a", "r")).subscribers, 0u);
  EXPECT_TRUE(hub.Subscribe("a").ok());
}

}  // namespace
}  // namespace segue::push
