// WebhookSender: POSTs each pushed message's JSON to a configured http:// URL (http_url.h), from its own
// worker threads, so the pipeline that pushes never waits for the receiver.
//
// Contract:
//  - Enqueue never blocks: the queue holds at most `queue_messages`; beyond it (or once stopped) the
//    message is dropped, counted, and Enqueue returns false.
//  - One attempt = connect, send, read the response, all within `timeout`; a new connection per message
//    (pushes are rare per listener, a pool would buy little). The host name is resolved before each
//    attempt by the system resolver, which `timeout` does not bound (use an address, or a local resolver). A 2xx response is success. Network
//    errors, timeouts, 408, 429 and 5xx are retried, up to `max_attempts` attempts in all, after a back-off
//    that doubles from `initial_backoff` up to `max_backoff` with "equal jitter" (a uniform draw from the
//    upper half of the step, so receivers recovering from an outage are not hit in lock-step). Any other
//    status is the receiver refusing the payload: not retried. A message that fails is given up and
//    counted; nothing is persisted (the impression log is the durable record of what was pushed).
//  - A message's attempts are made by the worker that took it, so while it backs off that worker sends
//    nothing else; `workers` messages progress in parallel. Delivery order is therefore not guaranteed.
//  - Stop (and the destructor) ends the back-off waits, lets attempts in flight finish (bounded by
//    `timeout`), joins the workers and drops what is still queued (counted as reason="shutdown").
//
// Metrics: segue_push_webhook_sent_total, segue_push_webhook_failed_total{reason} (attempts_exhausted,
// rejected), segue_push_webhook_retries_total, segue_push_webhook_dropped_total{reason} (queue_full,
// shutdown), segue_push_webhook_queued (gauge).
//
// Thread-safety: Enqueue, stats and Stop from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "common/metrics.h"
#include "common/status.h"
#include "push/push_message.h"

namespace segue::push {

struct WebhookOptions {
  std::string url;  // http://host[:port]/path; empty: no webhook
  std::chrono::milliseconds timeout{2'000};  // per attempt
  uint32_t max_attempts = 5;                 // the first attempt included
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
  size_t queue_messages = 1'024;
  uint32_t workers = 2;
};

struct WebhookStats {
  uint64_t sent = 0;
  uint64_t failed = 0;   // given up: attempts exhausted or rejected
  uint64_t retries = 0;  // attempts after the first
  uint64_t dropped = 0;  // queue full or shutdown
};

// The wait before attempt `attempt` (2 = the first retry): step = min(max_backoff, initial_backoff ·
// 2^(attempt-2)), drawn uniformly from [step/2, step].
std::chrono::milliseconds BackoffDelay(const WebhookOptions& options, uint32_t attempt, std::mt19937_64& rng);

class WebhookSender {
 public:
  // Fails (kInvalidArgument) on a malformed url or out-of-range option; starts the workers otherwise.
  static Result<std::unique_ptr<WebhookSender>> Start(WebhookOptions options, metrics::Registry& registry);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  bool Enqueue(PushMessagePtr message);
  void Stop();
  WebhookStats stats() const;

  struct State;

 private:
  explicit WebhookSender(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace segue::push
