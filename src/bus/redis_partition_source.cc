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
    return client_->Command(RedisCommand{{"XINFO", "STREAM", EventsKey(partition)}, /*key_arg=*/2});
  }();
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) {
    if (reply->str.find("no such key") != std::string::npos) return uint64_t{0};  // nothing appended yet
    return Status::Unavailable("Redis XINFO STREAM " + EventsKey(partition) + ": " + reply->str);
  }
  // A flat [field, value, ...] array. Offsets are dense (one per stored event), so everything below the
  // first entry was trimmed; an empty stream had every entry up to last-generated-id trimmed. (XTRIM does
  // not move max-deleted-entry-id in Redis 7.0, so that field cannot say it.)
  const RedisReply* first_entry = nullptr;
  const RedisReply* last_generated = nullptr;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    if (reply->elements[i].str == "first-entry") first_entry = &reply->elements[i + 1];
    if (reply->elements[i].str == "last-generated-id") last_generated = &reply->elements[i + 1];
  }
  const bool has_first = first_entry && !first_entry->elements.empty();
  const std::string& id = has_first ? first_entry->elements[0].str : (last_generated ? last_generated->str : "");
  uint64_t offset = 0;
  if (!ParseStreamEntryId(id, &offset)) {
    return Status::Corruption("Redis XINFO STREAM " + EventsKey(partition) + ": no first or last entry id");
  }
  return has_first ? offset - 1 : offset;
}

}  // namespace segue::bus
