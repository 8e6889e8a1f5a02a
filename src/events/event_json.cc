#include "events/event_json.h"

#include <charconv>

#include "common/time_util.h"

namespace segue {

namespace {

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

void AppendUint(uint64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

// Appends the event's fields (each with a leading comma) without braces.
void AppendEventFields(const Event& e, std::string* out) {
  AppendJsonStringField("event_id", e.event_id, out);
  AppendJsonStringField("user_id", e.user_id, out);
  AppendJsonKey("type", out);
  out->push_back('"');
  out->append(EventTypeName(e.type));
  out->push_back('"');
  AppendJsonKey("ts", out);
  out->push_back('"');
  out->append(FormatRfc3339Ms(e.ts_ms));
  out->push_back('"');
  AppendJsonStringField("track_id", e.track_id, out);
  if (e.position_ms != -1) {
    AppendJsonKey("position_ms", out);
    AppendInt(e.position_ms, out);
  }
  const EventContext& c = e.context;
  if (!c.device.empty() || !c.source.empty() || c.shuffle.has_value() || !c.rec_id.empty()) {
    AppendJsonKey("context", out);
    const size_t open = out->size();
    out->push_back('{');
    AppendJsonStringField("device", c.device, out);
    AppendJsonStringField("source", c.source, out);
    if (c.shuffle.has_value()) {
      AppendJsonKey("shuffle", out);
      out->append(*c.shuffle ? "true" : "false");
    }
    AppendJsonStringField("rec_id", c.rec_id, out);
    out->erase(open + 1, 1);  // drop the first field's leading comma
    out->push_back('}');
  }
  AppendJsonStringField("query", e.query, out);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    out->push_back('\\');
    switch (c) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '\n': out->push_back('n'); break;
      case '\r': out->push_back('r'); break;
      case '\t': out->push_back('t'); break;
      case '\b': out->push_back('b'); break;
      case '\f': out->push_back('f'); break;
      default:
        out->append("u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendJsonKey(std::string_view key, std::string* out) {
  out->append(",\"");
  out->append(key);
  out->append("\":");
}

void AppendJsonStringField(std::string_view key, std::string_view value, std::string* out) {
  if (value.empty()) return;
  AppendJsonKey(key, out);
  AppendJsonString(value, out);
}

void AppendEventJson(const Event& event, std::string* out) {
  const size_t open = out->size();
  out->push_back('{');
  AppendEventFields(event, out);
  // The type is always written, so there is always a first field whose comma must go.
  out->erase(open + 1, 1);
  out->push_back('}');
}

void AppendLoggedEventJson(const LoggedEvent& logged, std::string* out) {
  out->append("{\"seq\":");
  AppendUint(logged.seq, out);
  out->append(",\"partition\":");
  AppendUint(logged.partition, out);
  out->append(",\"ingest_ts\":\"");
  out->append(FormatRfc3339Ms(logged.ingest_ms));
  out->push_back('"');
  AppendEventFields(logged.event, out);
  out->push_back('}');
}

std::string EventToJson(const Event& event) {
  std::string out;
  out.reserve(256);
  AppendEventJson(event, &out);
  return out;
}

std::string LoggedEventToJson(const LoggedEvent& logged) {
  std::string out;
  out.reserve(320);
  AppendLoggedEventJson(logged, &out);
  return out;
}

}  // namespace segue
