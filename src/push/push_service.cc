#include "push/push_service.h"

#include <utility>

namespace segue::push {

Result<std::unique_ptr<PushService>> PushService::Start(PushOptions options, metrics::Registry& registry) {
  std::unique_ptr<WebhookSender> webhook;
  if (!options.webhook.url.empty()) {
    Result<std::unique_ptr<WebhookSender>> started = WebhookSender::Start(options.webhook, registry);
    if (!started.ok()) return started.status();
    webhook = std::move(*started);
  }
  return std::unique_ptr<PushService>(new PushService(std::move(options), registry, std::move(webhook)));
}

PushService::PushService(PushOptions options, metrics::Registry& registry, std::unique_ptr<WebhookSender> webhook)
    : options_(std::move(options)), hub_(options_.hub, registry), webhook_(std::move(webhook)) {}

PublishResult PushService::Push(PushMessagePtr message) {
  if (webhook_) webhook_->Enqueue(message);
  if (relay_) relay_->Relay(message);
  return hub_.Publish(std::move(message));
}

void PushService::Stop() {
  if (webhook_) webhook_->Stop();
}

}  // namespace segue::push
