// PushRelay: how a push made on one node reaches subscribers connected to the others (the embedded
// default has none: every subscriber is local). PushService hands it every push after delivering it
// locally; the implementation (nodes/redis_push_relay.h) gives it to every other node's hub, not back to
// this one's, so a subscriber of the node that pushed gets it once.
// Thread-safety: Relay may be called from any thread and must not block (bounded queue, drops counted).
#pragma once

#include "push/push_message.h"

namespace segue::push {

class PushRelay {
 public:
  virtual ~PushRelay() = default;
  virtual void Relay(PushMessagePtr message) = 0;
};

}  // namespace segue::push
