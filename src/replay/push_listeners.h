// PushListeners: the push streams (GET /v1/users/{id}/stream, Server-Sent Events) of N listeners, held open
// while `segue replay` sends their events, so event → push latency is measured under load: every push's
// arrival is recorded with the "trigger_event_id" it carries (docs/api.md, "Proactive push"), and
// MeasurePushLatency joins it with the time the replay sent that event.
//
// Contract:
//  - Start connects every stream and reads its 200 head before returning (kUnavailable / kInternal naming
//    the listener otherwise), so every push the server makes after Start reaches a stream.
//  - A push is an SSE event with data; it arrives when the client has read its last byte (steady_clock, on
//    the listeners' own thread). Keep-alive comments are skipped. A stream the server ends is counted in
//    streams_ended and not reopened.
//  - With `on_push`, each push's data is also handed to it, on the listeners' thread, as it arrives, with the
//    index of its stream in `users` (the closed-loop driver turns pushes into offers this way).
//  - Stop(quiet) waits until no push has arrived for `quiet` (at most 10 × quiet: pushes for the last events
//    sent may still be on their way), closes the streams and returns what arrived.
// Thread-safety: Start and Stop from one thread; received() from any thread (the replay's progress line).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "replay/latency_percentiles.h"

namespace segue {

struct PushArrival {
  std::string trigger_event_id;  // empty when the push did not name one
  std::string source;            // the recommendation's "source": model, cache, fallback:<why>
  std::chrono::steady_clock::time_point at;
};

struct PushArrivals {
  std::vector<PushArrival> pushes;
  uint64_t streams_ended = 0;
};

struct PushLatencyReport {
  uint64_t streams = 0;
  uint64_t pushes = 0;         // pushes received
  uint64_t matched = 0;        // of them, naming an event this replay sent: the latency samples
  uint64_t streams_ended = 0;  // by the server before the end (e.g. let go after too many drops)
  std::map<std::string, uint64_t> sources;  // pushes by their recommendation's source
  LatencyPercentiles latency;  // event -> push, over the matched pushes
};

struct PushListenersRun;  // push_listeners.cc

using PushCallback = std::function<void(size_t stream, std::string_view data, std::chrono::steady_clock::time_point at)>;

class PushListeners {
 public:
  static Result<std::unique_ptr<PushListeners>> Start(const std::string& host, const std::string& port,
                                                      const std::vector<std::string>& users, PushCallback on_push = {});
  ~PushListeners();

  PushArrivals Stop(std::chrono::milliseconds quiet);
  uint64_t received() const;

 private:
  explicit PushListeners(std::unique_ptr<PushListenersRun> run);
  std::unique_ptr<PushListenersRun> run_;
};

// Latency of each push = its arrival − when the request carrying its trigger event was written; pushes
// naming no event in `sent_at` (event_id → send time) are counted but not timed.
PushLatencyReport MeasurePushLatency(const PushArrivals& arrivals, size_t streams,
                                     const std::map<std::string, std::chrono::steady_clock::time_point, std::less<>>& sent_at);

std::string PushLatencyReportToText(const PushLatencyReport& report);

}  // namespace segue
