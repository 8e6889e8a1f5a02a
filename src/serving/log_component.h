// The server's side of the event log: its metrics (log/log_metrics.h) and, when retention is configured
// ([log] retention_ms / retention_bytes), applying it every retention_interval_s.
// Thread-safety: the retention task runs on the maintenance thread; EventLog is thread-safe.
#pragma once

#include <cstdint>

#include "log/event_log.h"
#include "serving/server_host.h"

namespace segue::serving {

class LogComponent : public ServerComponent {
 public:
  LogComponent(EventLog* log, const EventLogOptions& options, int64_t retention_interval_s)
      : log_(log), retention_(options.retention_ms > 0 || options.retention_bytes > 0),
        retention_interval_s_(retention_interval_s) {}

  void Register(ServerHost& host) override;

 private:
  EventLog* log_;
  bool retention_;
  int64_t retention_interval_s_;
};

}  // namespace segue::serving
