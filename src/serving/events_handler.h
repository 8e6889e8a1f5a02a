// POST /v1/events: parse and validate a batch, append the valid events to the durable log, and answer
// 202 {"accepted": N, "duplicates": D, "rejected": [...]} only once those events are durable.
//
// The response is completed from the log's group-commit callback (EventAppender::AppendAsync `done`, on the
// embedded log's committer thread); the server posts it back onto the connection's strand. Statuses: 400 malformed body,
// 413 too many events, 415 wrong Content-Type, 503 + Retry-After when the log's queue is full (back-
// pressure) or the log is closing, 507 + Retry-After when the log refuses writes for lack of disk space
// (the disk is full or below [log] min_free_bytes; the log resumes by itself once space is freed), 500
// when the log failed to write otherwise. On any error nothing in the batch was acked or stored, so the
// client retries the whole batch (a retry is never reported as a duplicate of the refused attempt).
// With `acked`, each accepted event's offset is noted there once its batch is acknowledged (read-your-
// writes for the listener's partition, acked_offsets.h).
//
// Metrics (registered on construction): segue_events_accepted_total{type},
// segue_events_duplicate_total, segue_events_rejected_total{field}, segue_event_batches_failed_total
// {reason}, segue_ingest_latency_seconds (request fully read → ack handed to the connection).
// Thread-safety: Handle() is safe to call concurrently; the log must outlive the handler's callbacks.
#pragma once

#include <array>

#include "common/metrics.h"
#include "events/event.h"
#include "events/event_parser.h"
#include "log/event_appender.h"
#include "serving/acked_offsets.h"
#include "serving/http_message.h"
#include "serving/router.h"
#include "serving/server_host.h"

namespace segue::serving {

class EventsHandler : public ServerComponent {
 public:
  // `acked` may be null; both pointers outlive the handler's callbacks.
  EventsHandler(EventAppender* log, ParseLimits limits, metrics::Registry& registry, AckedOffsets* acked = nullptr);

  // POST /v1/events, served once sessions are restored.
  void Register(ServerHost& host) override;

  void Handle(HttpRequest request, PathParams params, ResponseCallback done);

 private:
  void Fail(const char* reason, HttpResponse response, const ResponseCallback& done);

  EventAppender* log_;
  AckedOffsets* acked_;
  ParseLimits limits_;
  std::array<metrics::Counter*, kEventTypeCount> accepted_by_type_{};
  metrics::Counter& duplicates_;
  metrics::CounterFamily& rejected_;
  metrics::CounterFamily& failed_batches_;
  metrics::Histogram& latency_;
};

}  // namespace segue::serving
