// PushService: where the pipeline hands a listener's freshly computed recommendations to be delivered:
// offered to the listener's live subscribers (PushHub; the SSE and WebSocket routes in
// serving/push_component.h subscribe them), queued for the webhook when one is configured, and handed to
// the relay to other nodes' subscribers when there is one (push_relay.h; a bus node's).
//
// Contract: Push never blocks on a subscriber or the webhook receiver (bounded buffers and queue, drops
// counted by their metrics, see push_hub.h and webhook_sender.h). Stop ends the webhook's workers; the
// hub stays usable until the service is destroyed.
//
// Thread-safety: Push, hub() and Stop from any thread.
#pragma once

#include <memory>

#include "common/metrics.h"
#include "common/status.h"
#include "push/push_hub.h"
#include "push/push_message.h"
#include "push/push_options.h"
#include "push/push_relay.h"
#include "push/webhook_sender.h"

namespace segue::push {

class PushService {
 public:
  // Fails (kInvalidArgument) on a malformed webhook url or option.
  static Result<std::unique_ptr<PushService>> Start(PushOptions options, metrics::Registry& registry);

  PublishResult Push(PushMessagePtr message);
  void Stop();
  // Call during set-up, before any Push; `relay` outlives the pushes.
  void SetRelay(PushRelay* relay) { relay_ = relay; }

  PushHub& hub() { return hub_; }
  const PushOptions& options() const { return options_; }

 private:
  PushService(PushOptions options, metrics::Registry& registry, std::unique_ptr<WebhookSender> webhook);

  const PushOptions options_;
  PushHub hub_;
  std::unique_ptr<WebhookSender> webhook_;  // null without a webhook url
  PushRelay* relay_ = nullptr;              // null: single node
};

}  // namespace segue::push
