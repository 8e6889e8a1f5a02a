#include "bus/stream_entry.h"

#include <charconv>
#include <string_view>

#include "bus/redis_keys.h"
#include "log/record_codec.h"

namespace segue::bus {
bool ParseStreamEntryId(std::string_view id, uint64_t* offset) {
  const size_t dash = id.find('-');
  if (dash == std::string_view::npos) return false;
  return std::from_chars(id.data(), id.data() + dash, *offset).ec == std::errc();
}

Status DecodeStreamEntry(uint32_t partition, const RedisReply& entry, LoggedEvent* out) {
  // [id, [field, value, ...]]
  if (entry.elements.size() != 2 || entry.elements[1].elements.size() != 2) {
    return Status::Corruption("Redis stream " + EventsKey(partition) + ": malformed entry");
  }
  uint64_t offset = 0;
  if (!ParseStreamEntryId(entry.elements[0].str, &offset)) {
    return Status::Corruption("Redis stream " + EventsKey(partition) + ": bad entry id " + entry.elements[0].str);
  }
  if (Status s = DecodeLoggedEvent(entry.elements[1].elements[1].str, out); !s.ok()) {
    return Status::Corruption("Redis stream " + EventsKey(partition) + " entry " + entry.elements[0].str + ": " +
                              s.message());
  }
  out->partition = partition;
  out->seq = offset;
  return Status::Ok();
}

}  // namespace segue::bus
