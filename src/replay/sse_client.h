// SseClient: a minimal Server-Sent Events reader for Segue's push streams (GET /v1/users/{id}/stream,
// docs/api.md), used by `segue demo` and the end-to-end tests: connect, check the 200 head, then read
// events one at a time with a timeout.
//
// Contract: Open fails (kUnavailable / kInternal with the reason) unless the server answers 200 with
// text/event-stream. Next returns the next event's fields, skipping comment lines (": keep-alive"), or
// kDeadlineExceeded when none completed within `timeout` (the stream stays usable; bytes already read are
// kept), kUnavailable when the stream ended.
// Thread-safety: one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"

namespace segue {

struct SseEvent {
  std::string event;  // "event:" field ("message" when absent)
  std::string id;     // "id:" field
  std::string data;   // "data:" lines joined with "\n"
};

class SseClient {
 public:
  static Result<std::unique_ptr<SseClient>> Open(const std::string& host, const std::string& port,
                                                 const std::string& path);
  ~SseClient();

  Result<SseEvent> Next(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit SseClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segue
