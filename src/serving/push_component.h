// The server's side of proactive push: owns the PushService (push/push_service.h: the listeners' live
// subscribers and the webhook) and serves GET /v1/users/{id}/stream, which subscribes the connection to
// the listener's pushes and delivers each one
//  - as a Server-Sent Event (text/event-stream): "event: recommendations", "id: <rec_id>", "data: <the
//    payload JSON>", with a ": keep-alive" comment line every push.keepalive_interval_ms while idle;
//  - or, when the request is a WebSocket handshake ("Upgrade: websocket") on the same path, as one text
//    message per push holding the payload JSON (pings keep it alive).
// Answers 400 for a malformed listener id, and 503 with Retry-After when the hub's subscriber bounds are
// reached. The subscription ends when the connection does (client gone, write timeout, server stop), or
// when the hub lets a subscriber that stopped keeping up go (the connection is then closed; the client
// reconnects). Pushes made while no connection is open are not replayed (the webhook is the delivery for
// offline listeners; every push is also an impression in the log). The route is served from start-up:
// it reads no session.
//
// Wiring: the pipeline calls service().Push(...) when a trigger's recommendations are ready; Push never
// blocks. Destroying the component stops the webhook's workers.
//
// Thread-safety: service() and the route handler from any thread; Register during set-up (server_host.h).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/status.h"
#include "push/push_hub.h"
#include "push/push_message.h"
#include "push/push_options.h"
#include "push/push_service.h"
#include "serving/router.h"
#include "serving/server_host.h"

namespace segue::serving {

inline constexpr const char* kPushStreamRoute = "/v1/users/{id}/stream";

class PushComponent : public ServerComponent {
 public:
  // Fails (kInvalidArgument) on a malformed webhook url or option.
  static Result<std::unique_ptr<PushComponent>> Create(const push::PushOptions& options, metrics::Registry& registry);
  ~PushComponent() override;

  push::PushService& service() { return *service_; }

  void Register(ServerHost& host) override;  // the stream route

 private:
  explicit PushComponent(std::unique_ptr<push::PushService> service);
  std::unique_ptr<push::PushService> service_;
};

// The stream route's handler, for kPushStreamRoute (its one capture is the listener id).
RouteHandler PushStreamHandler(push::PushHub& hub, std::chrono::milliseconds keepalive_interval);

// The SSE event for one push (a payload with line breaks gets one data line per line, as SSE requires).
std::string SseEvent(const push::PushMessage& message);

}  // namespace segue::serving
