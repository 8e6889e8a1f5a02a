#include "importers/event_sink.h"

#include <cstdio>

#include "common/hash.h"

namespace segue {

std::string DeterministicEventId(std::string_view prefix, std::initializer_list<std::string_view> parts,
                                 EventType type) {
  std::string key;
  for (std::string_view p : parts) {
    key.append(p);
    key.push_back('\x1f');
  }
  key.append(EventTypeName(type));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(Fnv1a64(key)));
  std::string id(prefix);
  id.push_back('-');
  id.append(hex, 16);
  return id;
}

std::string_view TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

Status EmitEvent(const Event& event, const EventSink& sink, ImportSummary* summary) {
  ++summary->events_by_type[static_cast<int>(event.type)];
  return sink(event);
}

}  // namespace segue
