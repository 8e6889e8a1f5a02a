// NodeComponent: `segue serve --bus`'s processing side (src/nodes/). It keeps this node's fair share of the
// bus partitions under leases (PartitionOwnership), reads each owned partition (PartitionReaders) and
// applies its events with `apply` (LiveScoring: tracker, scoring, triggers, observers), committing the
// session state of the listeners each batch touched to the online store in Redis together with the
// partition's checkpoint. Sessions of partitions this node does not own are read from that store
// (Owns / ReadStored: SessionHandler). The bus's events bypass the Pipeline: each partition's reader is its
// only applier, and applying synchronously on it is what lets a commit cover exactly what was applied.
// Listeners of a partition handed over stay in the local tracker until idle eviction parks them; they are
// not served from it (Owns is false) and a later takeover replaces them with the stored state.
// Lifecycle: Start once the pipeline's consumers exist (the first round takes the node's share); Stop at
// shutdown hands every partition over (commit, release) before the consumers go.
// Thread-safety: Start/Stop from the application's thread; Owns and ReadStored from any thread.
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
#include "nodes/partition_ownership.h"
#include "nodes/partition_readers.h"
#include "nodes/stored_sessions.h"
#include "serving/server_config.h"

namespace segue::serving {

class NodeComponent {
 public:
  using Apply = std::function<void(const std::vector<LoggedEvent>&)>;

  // `node_id`: config.bus.node_id, or the default the application derived. The tracker and catalog outlive this.
  static Result<std::unique_ptr<NodeComponent>> Create(const ServerConfig& config, std::string node_id,
                                                       SessionTracker* tracker, Catalog* catalog, Apply apply,
                                                       metrics::Registry& registry);

  Status Start();
  void Stop();

  // Whether this node processes the listener's partition now.
  bool Owns(std::string_view user) const;
  Result<std::optional<SessionState>> ReadStored(std::string_view user) const { return stored_.Get(user); }

 private:
  NodeComponent(const ServerConfig& config, std::string node_id, bus::RedisClientOptions redis,
                SessionTracker* tracker, Catalog* catalog, Apply apply, metrics::Registry& registry);

  const uint32_t partitions_;
  nodes::PartitionReaders readers_;
  nodes::PartitionOwnership ownership_;
  nodes::StoredSessions stored_;
};

}  // namespace segue::serving
