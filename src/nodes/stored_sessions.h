// StoredSessions: reads one listener's session, and their latest view (score JSON), from the online store
// (online_store.h), for a node that does not process the listener's partition (any node answers
// GET /v1/users/{id}/session). What it returns is the state as of the owner's last commit of that
// partition: behind the owner by at most one batch (the events read since), not read-your-writes.
// Thread-safety: Get is safe to call from any thread (one Redis client behind a mutex; the decoding runs
// outside it). The catalog outlives this (track ids of the stored chunk are interned there).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "bus/redis_client.h"
#include "common/status.h"
#include "session/session_state.h"
#include "session/session_tracker.h"

namespace segue {
class Catalog;
}

namespace segue::nodes {

class OnlineStore;

class StoredSessions {
 public:
  StoredSessions(bus::RedisClientOptions redis, uint32_t partitions, Catalog* catalog, SessionTrackerOptions options)
      : redis_(std::move(redis)), partitions_(partitions), catalog_(catalog), options_(options) {}

  // The listener's stored session; nullopt when none is stored or the listener only has a parked profile.
  Result<std::optional<SessionState>> Get(std::string_view user) const;
  // The listener's stored view JSON (online_store.h); nullopt when none is stored.
  Result<std::optional<std::string>> View(std::string_view user) const;

 private:
  // Runs one read on the shared connection (connecting first if needed).
  Result<std::optional<std::string>> Read(
      const std::function<Result<std::optional<std::string>>(OnlineStore&, uint32_t partition)>& read,
      std::string_view user) const;

  const bus::RedisClientOptions redis_;
  const uint32_t partitions_;
  Catalog* catalog_;
  const SessionTrackerOptions options_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<bus::RedisClient> client_;  // connected on first use, guarded by mu_
};

}  // namespace segue::nodes
