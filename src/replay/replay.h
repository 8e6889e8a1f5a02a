// `segue replay`: an HTTP load generator for `POST /v1/events`. Sends an NDJSON file in batches of up to B
// lines over C keep-alive connections, optionally paced to R events/s, and measures each request's
// acknowledgement latency (request written → response received).
//
// Contract:
//  - Connection affinity by listener: line → connection Fnv1a64(user_id) % C (NdjsonBatches; lines without
//    a findable string user_id go to connection 0 and are counted in events_without_user_id). Each
//    connection sends only its own lines, in file order, with one request in flight, so every listener's
//    events reach the server in file order (as one device's client would send them). A skewed file (one
//    heavy listener) loads its connection more than the others.
//  - Lines are sent as they are in the file (no re-parsing); each batch is one request with
//    Content-Type application/x-ndjson. Every batch is sent at most once: a batch whose request fails
//    (network error, timeout, or any status but 202) is counted in failed_events, never retried.
//  - Pacing: a batch is not sent before start + i/R seconds, i = the file index (among non-blank lines) of
//    its first line (R = 0: as fast as the server answers). Latency is measured from the actual send, so a
//    server that falls behind shows up as a lower achieved rate rather than as queueing delay.
//  - accepted / duplicates / rejected are summed from the 202 bodies
//    ({"accepted":N,"duplicates":D,"rejected":[...]}); a 202 whose body does not parse is an error.
//  - A connection that breaks is reopened once per failed request; if that fails, the connection's
//    remaining batches are counted as failed under "connect" (another connection would break the order).
//    If the target cannot be reached at all at the start, RunReplay returns kUnavailable.
//  - With `progress`, one line per second on stderr.
//  - With `subscribe` N: N push streams are opened before the first event is sent, the send time of each of
//    those listeners' events is kept (event_id → when its request was written), and after the last
//    acknowledgement the streams stay open until pushes stop arriving for 1 s (at most 10 s).
// Thread-safety: RunReplay is self-contained (its own io_context and thread); callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "replay/latency_percentiles.h"
#include "replay/push_listeners.h"
#include "replay/read_load.h"

namespace segue {

struct ReplayOptions {
  std::string file;          // NDJSON events; ignored when `text` is set
  std::string_view text;     // in-memory NDJSON (must outlive the call), e.g. from `segue demo`
  std::string target;        // "http://HOST:PORT" (the scheme may be omitted)
  std::string path = "/v1/events";
  double rate = 0;           // events per second; 0 = unpaced
  size_t batch = 100;        // events per request
  size_t connections = 4;    // 1..65535
  int64_t timeout_ms = 30000;  // per request
  bool progress = false;
  // Optional GET load beside the ingest (read_load.h), for as long as the ingest runs: read_path with
  // "{user}" replaced by the file's first read_users listeners in turn, at read_rate requests/s.
  std::string read_path;  // empty: no reads
  double read_rate = 100;
  size_t read_connections = 4;
  size_t read_users = 1000;
  // Optional push streams (push_listeners.h) of `subscribe` of the file's listeners, open for the whole run:
  // every push naming an event this run sent is timed from the sending of that event's request. The
  // listeners are spread evenly over the file's listeners in order of first appearance (every k-th), not
  // its first N: those all begin in the first second, and a listener's first trigger tends to come early,
  // so the first N would crowd their pushes into the run's first second, when a fresh server is cold.
  size_t subscribe = 0;
};

struct ReplayReport {
  std::string target;
  double rate = 0;
  size_t batch = 0;
  size_t connections = 0;

  uint64_t events_in_file = 0;
  uint64_t events_without_user_id = 0;        // sent on connection 0 (no affinity possible)
  uint64_t events_sent = 0;
  uint64_t requests = 0;
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t failed_events = 0;                 // events in requests that did not get a usable 202
  std::map<std::string, uint64_t> errors;     // "503", "network", "timeout", "bad_response", "connect" → requests
  double elapsed_s = 0;
  double events_per_s = 0;                    // acknowledged (202) events per second of wall time
  LatencyPercentiles latency;  // of the acknowledgements

  std::optional<ReadLoadReport> reads;  // when read_path was set
  std::optional<PushLatencyReport> pushes;  // when subscribe > 0

  uint64_t error_requests() const;  // ingest requests only
};

struct HttpTarget {
  std::string host;
  std::string port;
};
// Accepts "http://HOST:PORT", "HOST:PORT" (a trailing "/" is allowed); https and paths are refused.
Result<HttpTarget> ParseHttpTarget(std::string_view target);

Result<ReplayReport> RunReplay(const ReplayOptions& options);

// One JSON object (no newline), the `--json` output of `segue replay`.
std::string ReplayReportToJson(const ReplayReport& report);
// A few human-readable lines.
std::string ReplayReportToText(const ReplayReport& report);

}  // namespace segue
