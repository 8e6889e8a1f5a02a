// The listeners' push streams: GET /v1/users/{id}/stream subscribes the connection to the listener's
// proactive pushes (push/push_hub.h) and delivers each one
//  - as a Server-Sent Event (text/event-stream): "event: recommendations", "id: <rec_id>", "data: <the
//    payload JSON>", with a ": keep-alive" comment line every keepalive interval while idle;
//  - or, when the request is a WebSocket handshake ("Upgrade: websocket") on the same path, as one text
//    message per push holding the payload JSON (pings keep it alive).
// Answers 400 for a malformed listener id, and 503 with Retry-After when the hub's subscriber bounds are
// reached. The subscription ends when the connection does (client gone, write timeout, server stop), or
// when the hub lets a subscriber that stopped keeping up go (the connection is then closed; the client
// reconnects). Pushes made while no connection is open are not replayed (the webhook is the delivery for
// offline listeners; every push is also an impression in the log).
//
// Thread-safety: the route handler runs concurrently; the hub must outlive the router's use.
#pragma once

#include <chrono>
#include <string>

#include "push/push_hub.h"
#include "push/push_message.h"
#include "serving/router.h"

namespace segue::serving {

void AddPushRoutes(Router& router, push::PushHub& hub, std::chrono::milliseconds keepalive_interval);

// The SSE event for one push (a payload with line breaks gets one data line per line, as SSE requires).
std::string SseEvent(const push::PushMessage& message);

}  // namespace segue::serving
