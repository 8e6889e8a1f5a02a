#include "nodes/lease_table.h"

#include <algorithm>

#include "nodes/node_keys.h"

namespace segue::nodes {
namespace {

// Redis's clock (TIME is allowed in scripts since Redis 5's effects replication), so expiry compares one
// clock only.
constexpr const char* kHeartbeatScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)
)lua";

constexpr const char* kRenewScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
)lua";

constexpr const char* kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

bus::RedisCommand Eval(const char* script, std::string key, std::vector<std::string> args) {
  bus::RedisCommand c;
  c.args = {"EVAL", script, "1", std::move(key)};
  for (std::string& a : args) c.args.push_back(std::move(a));
  c.key_arg = 3;
  return c;
}

Status ErrorOf(const bus::RedisReply& reply, const char* what) {
  return Status::Unavailable(std::string(what) + ": " + reply.str);
}

}  // namespace

Result<LeaseTable::Renewal> LeaseTable::HeartbeatAndRenew(std::span<const uint32_t> partitions) {
  std::vector<bus::RedisCommand> commands;
  commands.push_back(Eval(kHeartbeatScript, kMembersKey, {node_id_, std::to_string(lease_ms_)}));
  for (uint32_t p : partitions) commands.push_back(Eval(kRenewScript, LeaseKey(p), {node_id_, std::to_string(lease_ms_)}));
  Result<std::vector<bus::RedisReply>> replies = client_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  const bus::RedisReply& members = replies->front();
  if (members.is_error()) return ErrorOf(members, "node heartbeat");
  Renewal renewal;
  for (const bus::RedisReply& e : members.elements) renewal.live.push_back(e.str);
  std::sort(renewal.live.begin(), renewal.live.end());  // ZRANGE orders by expiry
  Result<std::vector<uint32_t>> held = Succeeded(partitions, *replies, 1);
  if (!held.ok()) return held.status();
  renewal.held = std::move(*held);
  return renewal;
}

Status LeaseTable::Leave() {
  Result<bus::RedisReply> reply = client_->Command({{"ZREM", kMembersKey, node_id_}});
  if (!reply.ok()) return reply.status();
  return reply->is_error() ? ErrorOf(*reply, "leaving the node membership") : Status::Ok();
}

Result<std::vector<uint32_t>> LeaseTable::Acquire(std::span<const uint32_t> partitions) {
  if (partitions.empty()) return std::vector<uint32_t>();
  std::vector<bus::RedisCommand> commands;
  for (uint32_t p : partitions) {
    commands.push_back({{"SET", LeaseKey(p), node_id_, "NX", "PX", std::to_string(lease_ms_)}});
  }
  Result<std::vector<bus::RedisReply>> replies = client_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  return Succeeded(partitions, *replies, 0);
}

Status LeaseTable::Release(std::span<const uint32_t> partitions) {
  if (partitions.empty()) return Status::Ok();
  std::vector<bus::RedisCommand> commands;
  for (uint32_t p : partitions) commands.push_back(Eval(kReleaseScript, LeaseKey(p), {node_id_}));
  Result<std::vector<bus::RedisReply>> replies = client_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const bus::RedisReply& r : *replies) {
    if (r.is_error()) return ErrorOf(r, "releasing a partition lease");
  }
  return Status::Ok();
}

Result<std::vector<uint32_t>> LeaseTable::Succeeded(std::span<const uint32_t> partitions,
                                                    const std::vector<bus::RedisReply>& replies, size_t first) {
  std::vector<uint32_t> held;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const bus::RedisReply& r = replies[first + i];
    if (r.is_error()) return ErrorOf(r, "partition lease");
    const bool ok = (r.type == bus::RedisReply::Type::kInteger && r.integer == 1) ||
                    (r.type == bus::RedisReply::Type::kStatus && r.str == "OK");
    if (ok) held.push_back(partitions[i]);
  }
  return held;
}

}  // namespace segue::nodes
