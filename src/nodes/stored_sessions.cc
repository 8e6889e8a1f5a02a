#include "nodes/stored_sessions.h"

#include "common/hash.h"
#include "nodes/online_store.h"
#include "session/session_codec.h"

namespace segue::nodes {

Result<std::optional<std::string>> StoredSessions::Read(
    const std::function<Result<std::optional<std::string>>(OnlineStore&, uint32_t partition)>& read,
    std::string_view user) const {
  std::lock_guard lock(mu_);
  if (!client_) {
    Result<std::unique_ptr<bus::RedisClient>> client = bus::RedisClient::Connect(redis_);
    if (!client.ok()) return client.status();
    client_ = std::move(*client);
  }
  OnlineStore store(client_.get(), /*node_id=*/"");
  return read(store, PartitionOf(user, partitions_));
}

Result<std::optional<std::string>> StoredSessions::View(std::string_view user) const {
  return Read([user](OnlineStore& store, uint32_t p) { return store.GetView(p, user); }, user);
}

Result<std::optional<SessionState>> StoredSessions::Get(std::string_view user) const {
  Result<std::optional<std::string>> chunk =
      Read([user](OnlineStore& store, uint32_t p) { return store.GetListener(p, user); }, user);
  if (!chunk.ok()) return chunk.status();
  if (!chunk->has_value()) return std::optional<SessionState>();
  // A one-listener tracker to decode into (the chunk format restores into a tracker).
  SessionTrackerOptions options = options_;
  options.shards = 1;
  SessionTracker scratch(catalog_, options);
  if (Status s = DecodeSessionChunk(**chunk, &scratch); !s.ok()) return s;
  return scratch.Get(user);
}

}  // namespace segue::nodes
