#include "bus/redis_bus_options.h"

#include <string_view>
#include <vector>

#include "bus/redis_keys.h"

namespace segue::bus {
namespace {

// The value of `name` in a CONFIG GET reply (a flat array name, value, name, value, ...).
std::string_view ConfigValue(const RedisReply& reply, std::string_view name) {
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    if (reply.elements[i].str == name) return reply.elements[i + 1].str;
  }
  return {};
}

Status CheckDurability(RedisClient& client, const RedisBusOptions& options) {
  if (options.accept_weak_durability) return Status::Ok();
  Result<std::vector<RedisReply>> configs =
      client.ForEachMaster(RedisCommand{{"CONFIG", "GET", "append*"}, RedisCommand::kNoKey});
  if (!configs.ok()) return configs.status();
  const std::vector<RedisEndpoint> masters = client.masters();
  for (size_t i = 0; i < configs->size() && i < masters.size(); ++i) {
    const std::string_view aof = ConfigValue((*configs)[i], "appendonly");
    const std::string_view fsync = ConfigValue((*configs)[i], "appendfsync");
    if (aof != "yes" || fsync != "always") {
      std::string m = "Redis master ";
      m.append(ToString(masters[i])).append(" has appendonly ").append(aof.empty() ? "?" : aof);
      m.append(", appendfsync ").append(fsync.empty() ? "?" : fsync);
      m.append(": the bus acknowledges only writes fsynced to the AOF (appendonly yes, appendfsync always);"
               " set them or accept weaker durability explicitly (accept_weak_durability)");
      return Status::InvalidArgument(std::move(m));
    }
  }
  return Status::Ok();
}

Status CheckPartitions(RedisClient& client, const RedisBusOptions& options) {
  const std::string count = std::to_string(options.partitions);
  const std::string key(kPartitionsKey);
  const std::vector<RedisCommand> commands = {RedisCommand{{"SET", key, count, "NX"}},
                                              RedisCommand{{"GET", key}}};
  Result<std::vector<RedisReply>> replies = client.Pipeline(commands, BusWait(options));
  if (!replies.ok()) return replies.status();
  const RedisReply& stored = (*replies)[1];
  if (stored.is_error()) return Status::Unavailable("Redis: GET " + key + ": " + stored.str);
  if (stored.str != count) {
    std::string m = "Redis bus was created with ";
    m.append(stored.str).append(" partitions (").append(key).append("); this node is configured with ");
    return Status::InvalidArgument(m.append(count));
  }
  return Status::Ok();
}

}  // namespace

WaitReplicas BusWait(const RedisBusOptions& options) {
  return WaitReplicas{options.wait_replicas, options.wait_timeout};
}

Result<std::unique_ptr<RedisClient>> ConnectBus(const RedisBusOptions& options) {
  if (options.partitions == 0) return Status::InvalidArgument("Redis bus: partitions must be at least 1");
  if (options.wait_replicas > 0 && options.timeouts.command <= options.wait_timeout) {
    return Status::InvalidArgument("Redis bus: the command timeout must exceed wait_timeout");
  }
  Result<std::vector<RedisEndpoint>> seeds = ParseRedisUrl(options.url);
  if (!seeds.ok()) return seeds.status();
  RedisClientOptions client_options;
  client_options.seeds = std::move(seeds).value();
  client_options.timeouts = options.timeouts;
  Result<std::unique_ptr<RedisClient>> client = RedisClient::Connect(std::move(client_options));
  if (!client.ok()) return client.status();
  if (Status s = CheckDurability(**client, options); !s.ok()) return s;
  if (Status s = CheckPartitions(**client, options); !s.ok()) return s;
  return client;
}

}  // namespace segue::bus
