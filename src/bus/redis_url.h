// The address of one logical Redis deployment: `redis://HOST:PORT[,HOST:PORT...]` (a single server, or
// seed nodes of a Redis Cluster: any reachable one is enough to discover the rest).
//
// ParseRedisUrl accepts exactly that form: the scheme `redis://`, then one or more comma-separated
// HOST:PORT pairs (HOST a name or IPv4 address, PORT 1..65535); no user, password, database or query.
// Anything else is InvalidArgument naming the offending part. Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace segue::bus {

struct RedisEndpoint {
  std::string host;
  uint16_t port = 0;

  bool operator==(const RedisEndpoint&) const = default;
};

// "HOST:PORT", as Redis prints it in MOVED replies and as the URL spells it.
std::string ToString(const RedisEndpoint& endpoint);

Result<std::vector<RedisEndpoint>> ParseRedisUrl(std::string_view url);

}  // namespace segue::bus
