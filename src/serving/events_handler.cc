#include "serving/events_handler.h"

#include <chrono>
#include <memory>

#include "common/hash.h"
#include "common/time_util.h"
#include "serving/batch_request.h"
#include "serving/log_health.h"

namespace segue::serving {

EventsHandler::EventsHandler(EventAppender* log, ParseLimits limits, metrics::Registry& registry,
                             AckedOffsets* acked)
    : log_(log),
      acked_(acked),
      limits_(limits),
      duplicates_(registry.AddCounter("segue_events_duplicate_total",
                                      "Events not written because their event_id was already in the log.")),
      rejected_(registry.AddCounterFamily("segue_events_rejected_total",
                                          "Events rejected by validation, by offending field (\"\" = whole event).",
                                          {"field"})),
      failed_batches_(registry.AddCounterFamily(
          "segue_event_batches_failed_total",
          "POST /v1/events requests answered with an error, by reason "
          "(malformed, too_large, unsupported_media_type, overloaded, unavailable, no_space, log_error).",
          {"reason"})),
      latency_(registry.AddHistogram("segue_ingest_latency_seconds",
                                     "Time from an event batch fully read to its durable acknowledgement.",
                                     metrics::ExponentialBuckets(0.0005, 2, 16))) {
  metrics::CounterFamily& accepted = registry.AddCounterFamily(
      "segue_events_accepted_total", "Events durably appended to the log, by type.", {"type"});
  for (int t = 0; t < kEventTypeCount; ++t) {
    accepted_by_type_[t] = &accepted.WithLabels({EventTypeName(static_cast<EventType>(t))});
  }
}

void EventsHandler::Register(ServerHost& host) {
  host.AddRoute(
      HttpMethod::kPost, "/v1/events",
      [this](HttpRequest r, PathParams p, ResponseCallback d) { Handle(std::move(r), std::move(p), std::move(d)); },
      RouteReadiness::kAfterRestore);
}

void EventsHandler::Fail(const char* reason, HttpResponse response, const ResponseCallback& done) {
  failed_batches_.WithLabels({reason}).Inc();
  done(std::move(response));
}

void EventsHandler::Handle(HttpRequest request, PathParams, ResponseCallback done) {
  std::optional<BodyFormat> format = BatchFormatOf(request.content_type);
  if (!format) return Fail("unsupported_media_type", UnsupportedMediaType(request.content_type), done);

  Result<ParsedBatch> parsed = ParseEventBatch(request.body, *format, limits_, NowMs());
  if (!parsed.ok()) {
    const char* reason = parsed.status().code() == StatusCode::kResourceExhausted ? "too_large" : "malformed";
    return Fail(reason, BatchParseError(parsed.status()), done);
  }
  ParsedBatch& batch = *parsed;
  for (const Rejection& r : batch.rejected) rejected_.WithLabels({r.field}).Inc();

  // What the ack needs once the events were moved into the log: rejections, one type byte per event and,
  // when offsets are noted, each event's partition.
  struct Pending {
    std::vector<Rejection> rejected;
    std::vector<uint8_t> types;
    std::vector<uint32_t> partitions;
    std::chrono::steady_clock::time_point received;
    ResponseCallback done;
  };
  auto pending = std::make_shared<Pending>();
  pending->rejected = std::move(batch.rejected);
  pending->types.reserve(batch.events.size());
  for (const Event& e : batch.events) pending->types.push_back(static_cast<uint8_t>(e.type));
  if (acked_) {
    pending->partitions.reserve(batch.events.size());
    for (const Event& e : batch.events) pending->partitions.push_back(PartitionOf(e.user_id, acked_->partitions()));
  }
  pending->received = request.received;
  pending->done = std::move(done);

  auto ack = [this, pending](Result<AppendOutcome> outcome) {
    if (!outcome.ok()) {
      const Status& s = outcome.status();
      if (s.code() == StatusCode::kNoSpace) {
        return Fail("no_space",
                    InsufficientStorage("the event log is out of disk space and refuses writes (" + s.message() +
                                        "); nothing in the batch was written; retry later"),
                    pending->done);
      }
      if (s.code() == StatusCode::kResourceExhausted || s.code() == StatusCode::kUnavailable) {
        HttpResponse r = JsonError(503, s.code() == StatusCode::kResourceExhausted
                                            ? "the event log is overloaded (" + s.message() + "); retry later"
                                            : "the event log is not accepting writes (" + s.message() + ")");
        r.headers.emplace_back("Retry-After", "1");
        return Fail(s.code() == StatusCode::kResourceExhausted ? "overloaded" : "unavailable", std::move(r),
                    pending->done);
      }
      return Fail("log_error", JsonError(500, "the event log failed to write the batch: " + s.message()),
                  pending->done);
    }
    const AppendOutcome& o = *outcome;
    for (size_t i = 0; i < o.seqs.size() && i < pending->types.size(); ++i) {
      if (o.seqs[i] == 0) continue;
      accepted_by_type_[pending->types[i]]->Inc();
      if (acked_) acked_->Note(pending->partitions[i], o.seqs[i]);
    }
    if (o.duplicates) duplicates_.Inc(o.duplicates);
    std::string body = "{\"accepted\":" + std::to_string(o.accepted) + ",\"duplicates\":" + std::to_string(o.duplicates) + ",";
    AppendRejectionsJson(pending->rejected, &body);
    body.push_back('}');
    latency_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - pending->received).count());
    pending->done(JsonResponse(202, std::move(body)));
  };

  if (batch.events.empty()) return ack(AppendOutcome{});
  log_->AppendAsync(std::move(batch.events), std::move(ack));
}

}  // namespace segue::serving
