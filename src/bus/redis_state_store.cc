#include "bus/redis_state_store.h"

#include "bus/redis_keys.h"

namespace segue::bus {
namespace {

constexpr size_t kPageKeys = 256;

std::string Bound(char inclusive, std::string_view key) {
  std::string bound(1, inclusive);
  return bound.append(key);
}

Status CheckReply(const Result<RedisReply>& reply, std::string_view what) {
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) {
    return Status::Unavailable(std::string("Redis state ").append(what).append(": ").append(reply->str));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<RedisStateStore>> RedisStateStore::Open(const RedisBusOptions& options) {
  Result<std::unique_ptr<RedisClient>> client = ConnectBus(options);
  if (!client.ok()) return client.status();
  return std::unique_ptr<RedisStateStore>(new RedisStateStore(BusWait(options), std::move(client).value()));
}

Status RedisStateStore::PutState(std::string_view key, std::string_view value) {
  return WriteStateBatch(Ops{{std::string(key), std::string(value)}});
}

Status RedisStateStore::DeleteState(std::string_view key) {
  return WriteStateBatch(Ops{{std::string(key), std::nullopt}});
}

Status RedisStateStore::WriteStateBatch(const Ops& ops) {
  if (ops.empty()) return Status::Ok();
  const std::string values(kStateValuesKey);
  const std::string index(kStateIndexKey);
  std::vector<RedisCommand> commands;
  commands.reserve(2 * ops.size());
  for (const auto& [key, value] : ops) {
    if (value) {
      commands.push_back(RedisCommand{{"HSET", values, key, *value}});
      commands.push_back(RedisCommand{{"ZADD", index, "0", key}});
    } else {
      commands.push_back(RedisCommand{{"HDEL", values, key}});
      commands.push_back(RedisCommand{{"ZREM", index, key}});
    }
  }
  Result<RedisReply> exec = [&] {
    std::lock_guard lock(mu_);
    return client_->Transaction(commands, wait_);
  }();
  if (Status s = CheckReply(exec, "write"); !s.ok()) return s;
  for (const RedisReply& r : exec->elements) {
    if (r.is_error()) return Status::Internal("Redis state write: " + r.str);
  }
  return Status::Ok();
}

Result<std::optional<std::string>> RedisStateStore::GetState(std::string_view key) const {
  Result<RedisReply> reply = [&] {
    std::lock_guard lock(mu_);
    return client_->Command(RedisCommand{{"HGET", std::string(kStateValuesKey), std::string(key)}});
  }();
  if (Status s = CheckReply(reply, "read"); !s.ok()) return s;
  if (reply->type == RedisReply::Type::kNil) return std::optional<std::string>();
  return std::optional<std::string>(std::move(reply->str));
}

Result<RedisStateStore::Page> RedisStateStore::ReadPage(std::string_view prefix, std::string* start) const {
  std::lock_guard lock(mu_);
  Result<RedisReply> keys = client_->Command(RedisCommand{
      {"ZRANGEBYLEX", std::string(kStateIndexKey), *start, "+", "LIMIT", "0", std::to_string(kPageKeys)}});
  if (Status s = CheckReply(keys, "scan"); !s.ok()) return s;
  *start = keys->elements.size() == kPageKeys ? Bound('(', keys->elements.back().str) : std::string();
  RedisCommand hmget{{"HMGET", std::string(kStateValuesKey)}};
  for (const RedisReply& k : keys->elements) {
    if (k.str.compare(0, prefix.size(), prefix) != 0) {
      start->clear();  // past the prefix: the index is sorted
      break;
    }
    hmget.args.push_back(k.str);
  }
  Page page;
  if (hmget.args.size() == 2) return page;
  Result<RedisReply> values = client_->Command(hmget);
  if (Status s = CheckReply(values, "scan"); !s.ok()) return s;
  for (size_t i = 0; i < values->elements.size(); ++i) {
    // A key deleted between the two reads has no value any more: it is gone, skip it.
    if (values->elements[i].type == RedisReply::Type::kNil) continue;
    page.emplace_back(std::move(hmget.args[i + 2]), std::move(values->elements[i].str));
  }
  return page;
}

Status RedisStateStore::ScanState(std::string_view prefix,
                                  const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::string start = prefix.empty() ? "-" : Bound('[', prefix);
  while (!start.empty()) {
    Result<Page> page = ReadPage(prefix, &start);
    if (!page.ok()) return page.status();
    for (const auto& [key, value] : *page) {
      if (!visit(key, value)) return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace segue::bus
