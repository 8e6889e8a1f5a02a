// The [push] configuration (docs/operations.md): the hub's bounds, the webhook, and the stream transports'
// keep-alive. A plain value the server configuration embeds.
#pragma once

#include <chrono>

#include "push/push_hub.h"
#include "push/webhook_sender.h"

namespace segue::push {

struct PushOptions {
  PushHubOptions hub;
  WebhookOptions webhook;  // webhook.url empty: no webhook
  // An idle stream gets an SSE comment line (or a WebSocket ping) this often, so proxies and load
  // balancers do not close it as idle, and a vanished client is noticed by a failing write.
  std::chrono::milliseconds keepalive_interval{15'000};
};

}  // namespace segue::push
