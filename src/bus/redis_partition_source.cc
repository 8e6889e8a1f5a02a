#include "bus/redis_partition_source.h"

#include <charconv>

#include "bus/redis_keys.h"
#include "bus/stream_entry.h"

namespace segue::bus {
namespace {

constexpr size_t kPageEntries = 512;

// The XRANGE bound just after the entry of `offset`.
std::string ExclusiveAfter(uint64_t offset) {
  std::string bound = std::to_string(offset);
  bound.insert(bound.begin(), '(');
  return bound.append("-1");
}

Status OutOfRange(uint32_t partition) {
  std::string m = "partition ";
  return Status::InvalidArgument(m.append(std::to_string(partition)).append(" out of range"));
}

}  // namespace

Result<std::unique_ptr<RedisPartitionSource>> RedisPartitionSource::Open(const RedisBusOptions& options) {
  Result<std::unique_ptr<RedisClient>> client = ConnectBus(options);
  if (!client.ok()) return client.status();
  return std::unique_ptr<RedisPartitionSource>(
      new RedisPartitionSource(options.partitions, std::move(client).value()));
}

Result<std::vector<LoggedEvent>> RedisPartitionSource::ReadPage(uint32_t partition, const std::string& start) const {
  Result<RedisReply> reply = [&] {
    std::lock_guard lock(mu_);
    return client_->Command(
        RedisCommand{{"XRANGE", EventsKey(partition), start, "+", "COUNT", std::to_string(kPageEntries)}});
  }();
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Status::Unavailable("Redis XRANGE " + EventsKey(partition) + ": " + reply->str);
  std::vector<LoggedEvent> events(reply->elements.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (Status s = DecodeStreamEntry(partition, reply->elements[i], &events[i]); !s.ok()) return s;
  }
  return events;
}

Status RedisPartitionSource::ReadPartition(uint32_t partition, uint64_t after_offset,
                                           const std::function<bool(const LoggedEvent&)>& visit) const {
  if (partition >= partitions_) return OutOfRange(partition);
  std::string start = std::to_string(after_offset + 1);
  while (true) {
    Result<std::vector<LoggedEvent>> page = ReadPage(partition, start);
    if (!page.ok()) return page.status();
    for (const LoggedEvent& e : *page) {
      if (!visit(e)) return Status::Ok();
    }
    if (page->size() < kPageEntries) return Status::Ok();
    start = ExclusiveAfter(page->back().seq);
  }
}

Result<uint64_t> RedisPartitionSource::EndOffset(uint32_t partition) const {
  if (partition >= partitions_) return OutOfRange(partition);
  Result<RedisReply> reply = [&] {
    std::lock_guard lock(mu_);
    return client_->Command(RedisCommand{{"GET", OffsetKey(partition)}});
  }();
  if (!reply.ok()) return reply.status();
  if (reply->type == RedisReply::Type::kNil) return uint64_t{0};
  uint64_t offset = 0;
  if (reply->is_error() || std::from_chars(reply->str.data(), reply->str.data() + reply->str.size(), offset).ec !=
                               std::errc()) {
    return Status::Corruption("Redis " + OffsetKey(partition) + ": not an offset: " + reply->str);
  }
  return offset;
}

Result<uint64_t> RedisPartitionSource::TrimmedOffset(uint32_t partition) const {
  if (partition >= partitions_) return OutOfRange(partition);
  Result<RedisReply> reply = [&] {
    std::lock_guard lock(mu_);
    return client_->Command(RedisCommand{{"XINFO", "STREAM", EventsKey(partition)}, 2});
  }();
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return uint64_t{0};  // no such stream: nothing was ever trimmed
  const std::vector<RedisReply>& fields = reply->elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str != "max-deleted-entry-id") continue;
    const std::string& id = fields[i + 1].str;
    uint64_t offset = 0;
    std::from_chars(id.data(), id.data() + id.find('-'), offset);
    return offset;
  }
  return uint64_t{0};
}

}  // namespace segue::bus
