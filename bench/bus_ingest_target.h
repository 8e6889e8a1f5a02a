// The two durable appenders bus_ingest compares, behind one tiny interface: the Redis Streams appender
// (bus/redis_event_appender.h) and the embedded RocksDB EventLog (log/event_log.h). The embedded one is
// built in its own file (bus_ingest_embedded.cc) because log/event_log.h still declares its own
// AppendOutcome beside log/event_appender.h's until the log split (issue #12, wt/logsplit) lands.
// Thread-safety: Append may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "events/event.h"

namespace segue::bench {

class IngestTarget {
 public:
  virtual ~IngestTarget() = default;
  // `done(true)` once every event is durable (acknowledged), `done(false)` if the append failed.
  virtual void Append(std::vector<Event> events, std::function<void(bool ok)> done) = 0;
};

// EventLog in `dir`, 16 partitions, sync = true (fsynced WAL per group commit), default options else.
std::unique_ptr<IngestTarget> OpenEmbeddedTarget(const std::string& dir);

}  // namespace segue::bench
