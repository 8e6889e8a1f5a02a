#include "nodes/online_store.h"

#include <charconv>

#include "bus/redis_keys.h"
#include "nodes/node_keys.h"

namespace segue::nodes {
namespace {

// KEYS: lease, sessions, checkpoint, stream, impressions stream, then one view key per view. ARGV: node,
// offset, group, trim below (0: none), listener count, view ttl ms, impressions MINID (0: none), (user,
// chunk)..., view JSON (one per view key)..., entry ids to acknowledge... Lua's unpack is bounded by its
// stack (a few thousand values): acks go in slices.
// Trimming is exact (MINID without ~): entries below the bound, no others.
constexpr const char* kCommitScript = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('NOTOWNER this node does not hold the partition lease')
end
local n = tonumber(ARGV[5])
local i = 8
for _ = 1, n do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for k = 6, #KEYS do
  redis.call('SET', KEYS[k], ARGV[i], 'PX', ARGV[6])
  i = i + 1
end
local offset = tonumber(ARGV[2])
local stored = tonumber(redis.call('GET', KEYS[3]) or '0')
if offset > stored then redis.call('SET', KEYS[3], ARGV[2]) end
while i <= #ARGV do
  local last = math.min(i + 499, #ARGV)
  redis.call('XACK', KEYS[4], ARGV[3], unpack(ARGV, i, last))
  i = last + 1
end
if ARGV[4] ~= '0' then redis.call('XTRIM', KEYS[4], 'MINID', ARGV[4] .. '-0') end
if ARGV[7] ~= '0' then redis.call('XTRIM', KEYS[5], 'MINID', ARGV[7]) end
return 1
)lua";

Status Failed(const bus::RedisReply& reply, const char* what) {
  if (reply.error_code() == "NOTOWNER") return Status::NotFound(reply.str);
  return Status::Unavailable(std::string(what) + ": " + reply.str);
}

}  // namespace

Status OnlineStore::Commit(const PartitionCommit& c) {
  bus::RedisCommand cmd;
  cmd.args = {"EVAL", kCommitScript, std::to_string(5 + c.views.size()), LeaseKey(c.partition),
              SessionsKey(c.partition), CheckpointKey(c.partition), bus::EventsKey(c.partition),
              ImpressionsKey(c.partition)};
  cmd.key_arg = 3;
  for (const auto& view : c.views) cmd.args.push_back(ViewKey(c.partition, view.first));
  cmd.args.insert(cmd.args.end(), {node_id_, std::to_string(c.offset), kConsumerGroup, std::to_string(c.trim_below),
                                   std::to_string(c.listeners.size()), std::to_string(c.view_ttl_ms),
                                   c.impressions_min_id});
  for (const auto& [user, chunk] : c.listeners) {
    cmd.args.push_back(user);
    cmd.args.push_back(chunk);
  }
  for (const auto& view : c.views) cmd.args.push_back(view.second);
  cmd.args.insert(cmd.args.end(), c.acks.begin(), c.acks.end());
  Result<bus::RedisReply> reply = client_->Command(cmd, wait_);
  if (!reply.ok()) return reply.status();
  return reply->is_error() ? Failed(*reply, "committing partition state") : Status::Ok();
}

Result<uint64_t> OnlineStore::Checkpoint(uint32_t partition) {
  Result<bus::RedisReply> reply = client_->Command({{"GET", CheckpointKey(partition)}});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Failed(*reply, "reading a checkpoint");
  uint64_t offset = 0;
  const std::string& s = reply->str;
  if (reply->type == bus::RedisReply::Type::kString &&
      std::from_chars(s.data(), s.data() + s.size(), offset).ec != std::errc()) {
    return Status::Corruption("checkpoint of partition " + std::to_string(partition) + " is not a number: " + s);
  }
  return offset;
}

Status OnlineStore::ScanPartition(uint32_t partition,
                                  const std::function<void(std::string_view user, std::string_view chunk)>& visit) {
  std::string cursor = "0";
  do {
    Result<bus::RedisReply> reply = client_->Command({{"HSCAN", SessionsKey(partition), cursor, "COUNT", "1000"}});
    if (!reply.ok()) return reply.status();
    if (reply->is_error() || reply->elements.size() != 2) return Failed(*reply, "scanning stored sessions");
    cursor = reply->elements[0].str;
    const std::vector<bus::RedisReply>& kv = reply->elements[1].elements;
    for (size_t i = 0; i + 1 < kv.size(); i += 2) visit(kv[i].str, kv[i + 1].str);
  } while (cursor != "0");
  return Status::Ok();
}

namespace {

Result<std::optional<std::string>> OptionalString(Result<bus::RedisReply> reply, const char* what) {
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Failed(*reply, what);
  if (reply->type == bus::RedisReply::Type::kNil) return std::optional<std::string>();
  return std::optional<std::string>(std::move(reply->str));
}

}  // namespace

Result<std::optional<std::string>> OnlineStore::GetListener(uint32_t partition, std::string_view user) {
  return OptionalString(client_->Command({{"HGET", SessionsKey(partition), std::string(user)}}),
                        "reading a stored session");
}

Result<std::optional<std::string>> OnlineStore::GetView(uint32_t partition, std::string_view user) {
  return OptionalString(client_->Command({{"GET", ViewKey(partition, user)}}), "reading a listener's view");
}

}  // namespace segue::nodes
