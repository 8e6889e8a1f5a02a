#include "serving/event_store.h"

#include <spdlog/spdlog.h>

#include "bus/redis_event_appender.h"
#include "bus/redis_partition_source.h"
#include "bus/redis_state_store.h"

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

Result<EventStore> OpenBus(const ServerConfig& config) {
  bus::RedisBusOptions options = config.bus.redis;
  options.partitions = config.log.partitions;
  auto named = [&](const Status& s) { return Status(s.code(), "the Redis bus at " + options.url + ": " + s.message()); };
  Result<std::unique_ptr<bus::RedisEventAppender>> appender = bus::RedisEventAppender::Open(options);
  if (!appender.ok()) return named(appender.status());
  Result<std::unique_ptr<bus::RedisPartitionSource>> source = bus::RedisPartitionSource::Open(options);
  if (!source.ok()) return named(source.status());
  Result<std::unique_ptr<bus::RedisStateStore>> state = bus::RedisStateStore::Open(options);
  if (!state.ok()) return named(state.status());
  EventStore store;
  store.bus_appender = std::move(*appender);
  store.bus_source = std::move(*source);
  store.bus_state = std::move(*state);
  store.appender = store.bus_appender.get();
  store.source = store.bus_source.get();
  store.state = store.bus_state.get();
  return store;
}

}  // namespace

void EventStore::Close() {
  if (embedded) embedded->Close();
  appender = nullptr;
  bus_appender.reset();  // its writer finishes the batch in flight; queued callers get Unavailable
}

Result<EventStore> OpenEventStore(const ServerConfig& config, CommittedSink on_committed) {
  if (!config.bus.redis.url.empty()) return OpenBus(config);
  return OpenEmbedded(config, std::move(on_committed));
}

}  // namespace segue::serving
