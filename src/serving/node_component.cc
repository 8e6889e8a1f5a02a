#include "serving/node_component.h"

#include <spdlog/spdlog.h>

#include "common/hash.h"

namespace segue::serving {
namespace {

// Impressions kept per partition while its owner does not drain them (MAXLEN ~): ~1.1 KB each in Redis
// with k = 10 (docs/scaling.md), so a partition left without an owner holds at most ~11 MB of them.
constexpr uint64_t kImpressionsPerPartition = 10'000;

}  // namespace

Result<std::unique_ptr<NodeComponent>> NodeComponent::Create(const ServerConfig& config, std::string node_id,
                                                             SessionTracker* tracker, Catalog* catalog,
                                                             const ListenerState* local, Apply apply,
                                                             nodes::RedisPushRelay::Deliver deliver_push,
                                                             metrics::Registry& registry) {
  Result<std::vector<bus::RedisEndpoint>> seeds = bus::ParseRedisUrl(config.bus.redis.url);
  if (!seeds.ok()) return Status::InvalidArgument("bus.url: " + seeds.status().message());
  bus::RedisClientOptions redis{.seeds = std::move(*seeds), .timeouts = config.bus.redis.timeouts, .max_rounds = 6};
  return std::unique_ptr<NodeComponent>(new NodeComponent(config, std::move(node_id), std::move(redis), tracker,
                                                          catalog, local, std::move(apply), std::move(deliver_push),
                                                          registry));
}

NodeComponent::NodeComponent(const ServerConfig& config, std::string node_id, bus::RedisClientOptions redis,
                             SessionTracker* tracker, Catalog* catalog, const ListenerState* local, Apply apply,
                             nodes::RedisPushRelay::Deliver deliver_push, metrics::Registry& registry)
    : local_(local),
      partitions_(config.log.partitions),
      readers_({.node_id = node_id,
                .batch_events = 500,
                .block_ms = 100,
                .wait = bus::BusWait(config.bus.redis),
                .retain_events = config.bus.retain_events,
                // A view outlives its listener's last batch by a session timeout: by then the session has ended.
                .view_ttl_ms = config.sessions.session_timeout_ms},
               redis, tracker, std::move(apply), [this](std::string_view user) { return StoredView(user); }, registry),
      ownership_({.node_id = node_id, .partitions = partitions_, .lease_ms = config.bus.lease_ms}, redis,
                 [this](const std::vector<uint32_t>& ps) { readers_.Take(ps); },
                 [this](const std::vector<uint32_t>& ps) { readers_.Drop(ps); }, registry),
      stored_(redis, partitions_, catalog, config.sessions),
      relay_(redis, node_id, std::move(deliver_push), registry),
      impressions_(redis, partitions_, kImpressionsPerPartition, [this](std::string_view user) { return Owns(user); },
                   registry) {}

impressions::ImpressionSink* NodeComponent::RouteImpressions(impressions::ImpressionSink* local) {
  impressions_.SetLocal(local);
  readers_.SetImpressionSink(local);
  return &impressions_;
}

Status NodeComponent::Start() {
  relay_.Start();
  impressions_.Start();
  if (Status s = ownership_.Start(); !s.ok()) return s;
  spdlog::info("bus node: owns {} of {} partitions", ownership_.owned().size(), partitions_);
  return Status::Ok();
}

void NodeComponent::Stop() {
  relay_.Stop();
  ownership_.Stop();
  readers_.Stop();
  impressions_.Stop();
}

bool NodeComponent::Owns(std::string_view user) const {
  return ownership_.owned().contains(PartitionOf(user, partitions_));
}

Result<std::optional<SessionState>> NodeComponent::Session(std::string_view user) const {
  return Owns(user) ? local_->Session(user) : stored_.Get(user);
}

Result<nlohmann::json> NodeComponent::View(std::string_view user) const {
  if (Owns(user)) return local_->View(user);
  Result<std::optional<std::string>> stored = stored_.View(user);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return ViewJson(std::nullopt);
  nlohmann::json view = nlohmann::json::parse(**stored, nullptr, /*allow_exceptions=*/false);
  if (view.is_discarded()) return Status::Corruption("stored view of '" + std::string(user) + "' is not JSON");
  return view;
}

std::optional<std::string> NodeComponent::StoredView(std::string_view user) const {
  Result<nlohmann::json> view = local_->View(user);
  if (!view.ok() || view->value("disengagement_score", nlohmann::json()).is_null()) return std::nullopt;
  return view->dump();
}

}  // namespace segue::serving
