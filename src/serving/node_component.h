// NodeComponent: `segue serve --bus`'s processing side (src/nodes/). It keeps this node's fair share of the
// bus partitions under leases (PartitionOwnership), reads each owned partition (PartitionReaders) and
// applies its events with `apply` (LiveScoring: tracker, scoring, triggers, observers), committing the
// session state of the listeners each batch touched to the online store in Redis together with the
// partition's checkpoint, and their view (latest disengagement score and trigger, listener_state.h) when
// they have been scored. As a ListenerState it answers for any listener: from `local` (this process's
// tracker and scorer) for the partitions it owns, from the online store for the others. Its push relay
// (nodes/redis_push_relay.h) carries trigger pushes between nodes: this node's go out through push_relay()
// (PushService::SetRelay), the others' come in to `deliver_push` (the local hub). The bus's events bypass the Pipeline: each partition's reader is its
// only applier, and applying synchronously on it is what lets a commit cover exactly what was applied.
// Listeners of a partition handed over stay in the local tracker until idle eviction parks them; they are
// not served from it (Owns is false) and a later takeover replaces them with the stored state.
// Impressions: RouteImpressions wraps the recommender's local sink (impression store and feedback
// collector) in an ImpressionRelay (nodes/impression_stream.h): impressions of listeners this node owns
// stay local, the others go to their partition's Redis stream, which the owner's readers drain into its
// local sink, so a pull served on any node is attributed where the listener's events are applied.
// Lifecycle: Start once the pipeline's consumers exist (the first round takes the node's share); Stop at
// shutdown hands every partition over (commit, release) before the consumers go.
// Thread-safety: Start/Stop from the application's thread; Owns and the ListenerState methods from any thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"
#include "events/event.h"
#include "nodes/impression_stream.h"
#include "nodes/partition_ownership.h"
#include "nodes/partition_readers.h"
#include "nodes/redis_push_relay.h"
#include "nodes/stored_sessions.h"
#include "serving/listener_state.h"
#include "serving/server_config.h"

namespace segue::serving {

class NodeComponent final : public ListenerState {
 public:
  using Apply = std::function<void(const std::vector<LoggedEvent>&)>;

  // `node_id`: config.bus.node_id, or the default the application derived. The tracker, catalog and
  // `local` (reading that tracker) outlive this.
  static Result<std::unique_ptr<NodeComponent>> Create(const ServerConfig& config, std::string node_id,
                                                       SessionTracker* tracker, Catalog* catalog,
                                                       const ListenerState* local, Apply apply,
                                                       nodes::RedisPushRelay::Deliver deliver_push,
                                                       metrics::Registry& registry);

  Status Start();
  void Stop();

  // Whether this node processes the listener's partition now.
  bool Owns(std::string_view user) const;
  push::PushRelay& push_relay() { return relay_; }
  // The sink the recommender records into: `local` for owned listeners, Redis for the others; `local` also
  // receives what this node's readers drain. Before Start; `local` outlives this node's readers and any
  // Record.
  impressions::ImpressionSink* RouteImpressions(impressions::ImpressionSink* local);

  Result<std::optional<SessionState>> Session(std::string_view user) const override;
  Result<nlohmann::json> View(std::string_view user) const override;
  const Catalog& catalog() const override { return local_->catalog(); }

 private:
  NodeComponent(const ServerConfig& config, std::string node_id, bus::RedisClientOptions redis,
                SessionTracker* tracker, Catalog* catalog, const ListenerState* local, Apply apply,
                nodes::RedisPushRelay::Deliver deliver_push, metrics::Registry& registry);
  // What the readers store beside a listener's session: their view, unless nothing was scored.
  std::optional<std::string> StoredView(std::string_view user) const;

  const ListenerState* local_;

  const uint32_t partitions_;
  nodes::PartitionReaders readers_;
  nodes::PartitionOwnership ownership_;
  nodes::StoredSessions stored_;
  nodes::RedisPushRelay relay_;
  nodes::ImpressionRelay impressions_;
};

}  // namespace segue::serving
