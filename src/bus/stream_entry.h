// Decoding one entry of a partition's event stream as Redis returns it (XRANGE, XREADGROUP, XAUTOCLAIM):
// [id, [field, value]], the id "<offset>-1" and the value the record_codec.h bytes RedisEventAppender
// wrote (redis_event_appender.h). The record's own seq is 0 (Redis assigns the offset after it was
// encoded): the event gets its partition and offset (seq) from the stream and the id.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "bus/redis_reply.h"
#include "common/status.h"
#include "events/event.h"

namespace segue::bus {

// The offset of a stream entry id "<offset>-1"; false when `id` is not of that form.
bool ParseStreamEntryId(std::string_view id, uint64_t* offset);

// Corruption naming the stream and entry when the entry is malformed.
Status DecodeStreamEntry(uint32_t partition, const RedisReply& entry, LoggedEvent* out);

}  // namespace segue::bus
