// ReadLoad: an open-loop GET load that `segue replay` runs beside its ingest, so read latency (e.g. of
// GET /v1/users/{id}/recommendations) is measured while events stream in, in one run.
//
// Contract:
//  - Request i is due at start + i/R. Each of C keep-alive connections takes the next due request when it
//    is free, so at most C requests are in flight. Latency is measured from the request's DUE time, not
//    from when a busy connection got to send it: a server that falls behind shows up in the percentiles
//    instead of being hidden by the client waiting (no coordinated omission).
//  - Request i asks for `path_template` with every "{user}" replaced by users[i % users.size()].
//  - Any 2xx is a success; other statuses and network errors/timeouts are counted by kind. When a 2xx
//    body is a JSON object with a string "source" field, the responses are also counted by that value
//    (how many the recommender served from "model", "cache", "fallback:...").
// Thread-safety: Start/Stop from one thread; the load runs on its own thread and io_context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "replay/latency_percentiles.h"

namespace segue {

struct ReadLoadOptions {
  std::string target;         // "http://HOST:PORT"
  std::string path_template;  // e.g. "/v1/users/{user}/recommendations?k=10"
  std::vector<std::string> users;
  double rate = 100;          // requests per second (> 0)
  size_t connections = 4;
  int64_t timeout_ms = 30000;
};

struct ReadLoadReport {
  std::string path_template;
  double rate = 0;
  uint64_t requests = 0;   // completed (answered or failed)
  uint64_t ok = 0;         // 2xx
  std::map<std::string, uint64_t> errors;   // "404", "timeout", "network", ... → requests
  std::map<std::string, uint64_t> sources;  // the responses' "source" field → requests
  double elapsed_s = 0;
  LatencyPercentiles latency;  // of the requests, from each one's due time
};

struct ReadLoadRun;  // read_load.cc

class ReadLoad {
 public:
  // Validates the options and connects; kInvalidArgument / kUnavailable naming the problem.
  static Result<std::unique_ptr<ReadLoad>> Start(const ReadLoadOptions& options);
  ~ReadLoad();  // Stop()

  // Stops issuing requests, waits for those in flight (at most timeout_ms) and reports.
  ReadLoadReport Stop();

 private:
  explicit ReadLoad(std::unique_ptr<ReadLoadRun> run);
  std::unique_ptr<ReadLoadRun> run_;
};

std::string ReadLoadReportToText(const ReadLoadReport& report);

}  // namespace segue
