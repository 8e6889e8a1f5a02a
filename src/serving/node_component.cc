#include "serving/node_component.h"

#include <spdlog/spdlog.h>

#include "common/hash.h"

namespace segue::serving {

Result<std::unique_ptr<NodeComponent>> NodeComponent::Create(const ServerConfig& config, std::string node_id,
                                                             SessionTracker* tracker, Catalog* catalog, Apply apply,
                                                             metrics::Registry& registry) {
  Result<std::vector<bus::RedisEndpoint>> seeds = bus::ParseRedisUrl(config.bus.redis.url);
  if (!seeds.ok()) return Status::InvalidArgument("bus.url: " + seeds.status().message());
  bus::RedisClientOptions redis{.seeds = std::move(*seeds), .timeouts = config.bus.redis.timeouts, .max_rounds = 6};
  return std::unique_ptr<NodeComponent>(new NodeComponent(config, std::move(node_id), std::move(redis), tracker,
                                                          catalog, std::move(apply), registry));
}

NodeComponent::NodeComponent(const ServerConfig& config, std::string node_id, bus::RedisClientOptions redis,
                             SessionTracker* tracker, Catalog* catalog, Apply apply, metrics::Registry& registry)
    : partitions_(config.log.partitions),
      readers_({.node_id = node_id,
                .batch_events = 500,
                .block_ms = 100,
                .wait = bus::BusWait(config.bus.redis),
                .retain_events = config.bus.retain_events},
               redis, tracker, std::move(apply), registry),
      ownership_({.node_id = node_id, .partitions = partitions_, .lease_ms = config.bus.lease_ms}, redis,
                 [this](const std::vector<uint32_t>& ps) { readers_.Take(ps); },
                 [this](const std::vector<uint32_t>& ps) { readers_.Drop(ps); }, registry),
      stored_(redis, partitions_, catalog, config.sessions) {}

Status NodeComponent::Start() {
  if (Status s = ownership_.Start(); !s.ok()) return s;
  spdlog::info("bus node: owns {} of {} partitions", ownership_.owned().size(), partitions_);
  return Status::Ok();
}

void NodeComponent::Stop() {
  ownership_.Stop();
  readers_.Stop();
}

bool NodeComponent::Owns(std::string_view user) const {
  return ownership_.owned().contains(PartitionOf(user, partitions_));
}

}  // namespace segue::serving
