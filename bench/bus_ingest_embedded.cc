// The embedded EventLog as an IngestTarget (bus_ingest_target.h).
#include <cstdio>

#include "bench/bus_ingest_target.h"
#include "log/event_log.h"

namespace segue::bench {
namespace {

class EmbeddedTarget final : public IngestTarget {
 public:
  explicit EmbeddedTarget(std::unique_ptr<EventLog> log) : log_(std::move(log)) {}
  void Append(std::vector<Event> events, std::function<void(bool)> done) override {
    log_->AppendAsync(std::move(events), [done = std::move(done)](Result<AppendOutcome> r) { done(r.ok()); });
  }

 private:
  std::unique_ptr<EventLog> log_;
};

}  // namespace

std::unique_ptr<IngestTarget> OpenEmbeddedTarget(const std::string& dir) {
  EventLogOptions options;
  options.dir = dir;
  options.partitions = 16;
  options.sync = true;
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(options);
  if (!log.ok()) {
    std::fprintf(stderr, "EventLog::Open(%s): %s\n", dir.c_str(), log.status().ToString().c_str());
    return nullptr;
  }
  return std::make_unique<EmbeddedTarget>(std::move(log).value());
}

}  // namespace segue::bench
