// OnlineStore: per-listener session state in Redis, written by the partition's owner and read by any
// node (keys in node_keys.h). It is also the partition's checkpoint: a commit stores the state of the
// listeners a batch touched together with the offset it covers, and acknowledges the batch's stream
// entries (XACK), and optionally trims the stream below a bound (retention) and the partition's impression
// stream below what the owner drained before the batch, in one script on the
// partition's slot: a reader or a crash sees all of it or none.
// The script first checks that segue:{p}:lease still names the committing node and refuses otherwise
// (NotFound): only the owner's writes land, even from a node that lost its lease while paused.
// Under the bus's durability policy (AOF appendfsync always, optionally WAIT replicas) a commit that
// returned Ok survives a Redis restart.
//
// State per listener is session_codec.h's chunk (EncodeListener / DecodeSessionChunk): the session with its
// last applied offset, or the parked profile. The checkpoint only grows.
// Beside it, a commit may store a listener's latest view (the disengagement score and last trigger, as
// JSON: what GET .../session adds to the session) in its own key with a TTL: a view is refreshed on every
// batch that touches the listener and dropped by Redis once the listener has been idle for the TTL, so
// views cost memory for the active listeners only (sessions stay until a later expiry policy).
// Thread-safety: none (one RedisClient); use one OnlineStore per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/redis_client.h"
#include "common/status.h"

namespace segue::nodes {

struct PartitionCommit {
  uint32_t partition = 0;
  uint64_t offset = 0;  // every event of the partition with offset <= this is folded into the stored state
  std::vector<std::pair<std::string, std::string>> listeners;  // (user id, chunk)
  std::vector<std::string> acks;  // stream entry ids to XACK in the consumer group
  // Stream entries with an offset below this are removed (XTRIM MINID); 0 keeps them all. Only ever below
  // the checkpoint: what the stored state covers.
  uint64_t trim_below = 0;
  std::vector<std::pair<std::string, std::string>> views = {};  // (user id, view JSON)
  int64_t view_ttl_ms = 0;                                      // > 0 when `views` is not empty
  // segue:{p}:impressions entries below this id are removed (XTRIM MINID): those drained into the owner's
  // sink before the batch was applied (impression_stream.h); "0" keeps them all.
  std::string impressions_min_id = "0";
};

class OnlineStore {
 public:
  // `client` outlives this; `wait` applies to commits.
  OnlineStore(bus::RedisClient* client, std::string node_id, bus::WaitReplicas wait = {})
      : client_(client), node_id_(std::move(node_id)), wait_(wait) {}

  // NotFound when this node does not hold the partition's lease; Unavailable when Redis fails.
  Status Commit(const PartitionCommit& commit);
  // The partition's checkpoint (0 = nothing stored).
  Result<uint64_t> Checkpoint(uint32_t partition);
  // Visits every stored listener of the partition (HSCAN pages; order unspecified).
  Status ScanPartition(uint32_t partition,
                       const std::function<void(std::string_view user, std::string_view chunk)>& visit);
  // One listener's chunk, nullopt when none is stored.
  Result<std::optional<std::string>> GetListener(uint32_t partition, std::string_view user);
  // One listener's view, nullopt when none is stored (never scored, or idle beyond the TTL).
  Result<std::optional<std::string>> GetView(uint32_t partition, std::string_view user);

 private:
  bus::RedisClient* client_;
  std::string node_id_;
  bus::WaitReplicas wait_;
};

}  // namespace segue::nodes
