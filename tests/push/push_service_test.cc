#include "push/push_service.h"

#include <gtest/gtest.h>

namespace segue::push {
namespace {

TEST(PushService, OffersToSubscribersAndQueuesForTheWebhook) {
  metrics::Registry registry;
  PushOptions options;
  options.webhook.url = "http://127.0.0.1:9/";  // discard port: nothing listens, the attempts fail
  options.webhook.max_attempts = 1;
  auto service = PushService::Start(options, registry);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  auto sub = (*service)->hub().Subscribe("u1");
  ASSERT_TRUE(sub.ok());
  PublishResult r = (*service)->Push(std::make_shared<const PushMessage>(PushMessage{"u1", "r1", "{}"}));
  EXPECT_EQ(r.subscribers, 1u);
  EXPECT_EQ(sub->subscriber().Drain().size(), 1u);
  (*service)->Stop();
  const std::string text = registry.RenderText();
  const bool handed_to_webhook = text.find("segue_push_webhook_failed_total{reason=\"attempts_exhausted\"} 1") != std::string::npos ||
                                 text.find("segue_push_webhook_dropped_total{reason=\"shutdown\"} 1") != std::string::npos;
  EXPECT_TRUE(handed_to_webhook) << text;
}

TEST(PushService, WithoutAUrlThereIsNoWebhookAndABadUrlIsAnError) {
  metrics::Registry registry;
  auto service = PushService::Start({}, registry);
  ASSERT_TRUE(service.ok());
  EXPECT_EQ(registry.RenderText().find("segue_push_webhook"), std::string::npos);
  PushOptions bad;
  bad.webhook.url = "https://example.com/";
  metrics::Registry other;
  EXPECT_EQ(PushService::Start(bad, other).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace segue::push
