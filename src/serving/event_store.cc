#include "serving/event_store.h"

#include <spdlog/spdlog.h>

namespace segue::serving {
namespace {

Result<EventStore> OpenEmbedded(const ServerConfig& config, CommittedSink on_committed) {
  EventLogOptions options = config.log;
  options.dir = config.data_dir;
  options.on_health_change = [](const Status& health) {
    if (health.ok()) {
      spdlog::info("event log accepts writes again");
    } else {
      spdlog::error("event log refuses writes until this is resolved: {}", health.message());
    }
  };
  options.on_committed = std::move(on_committed);
  Result<std::unique_ptr<EventLog>> opened = EventLog::Open(options);
  if (!opened.ok()) {
    return Status(opened.status().code(),
                  "opening the event log in " + config.data_dir + ": " + opened.status().message());
  }
  EventStore store;
  store.embedded = std::move(*opened);
  store.appender = store.embedded.get();
  store.source = store.embedded.get();
  store.state = store.embedded.get();
  return store;
}

}  // namespace

void EventStore::Close() {
  if (embedded) embedded->Close();
}

Result<EventStore> OpenEventStore(const ServerConfig& config, CommittedSink on_committed) {
  return OpenEmbedded(config, std::move(on_committed));
}

}  // namespace segue::serving
