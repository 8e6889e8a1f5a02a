#include "events/event_parser.h"

#include <algorithm>
#include <string>

#include "common/time_util.h"
#include "events/json_batch.h"

namespace segue {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

const std::string& TypeChoices() {
  static const std::string kChoices = [] {
    std::string s = "must be one of ";
    for (int i = 0; i < kEventTypeCount; ++i) {
      if (i > 0) s += ", ";
      s += EventTypeName(static_cast<EventType>(i));
    }
    return s;
  }();
  return kChoices;
}

std::string DurationText(int64_t ms) {
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + " minutes";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " seconds";
  return std::to_string(ms) + " ms";
}

// Decodes one event object; on failure fills *err and returns false. Fields are checked in body order,
// then the required ones in schema order, so the reported field is deterministic.
class EventDecoder {
 public:
  EventDecoder(const ParseLimits& limits, int64_t now_ms) : limits_(limits), now_ms_(now_ms) {}

  bool Decode(element el, Event* out, FieldError* err) {
    err_ = err;
    if (el.type() != element_type::OBJECT) return Fail("", "must be a JSON object, got " + Kind(el));
    *out = Event{};
    uint32_t seen = 0;
    const simdjson::dom::object object = el.get_object().value_unsafe();
    for (simdjson::dom::key_value_pair kv : object) {
      const Field f = FieldOf(kv.key);
      if (f == kUnknown) continue;  // lenient on extra fields: see docs/api.md
      if (seen & (1u << f)) return Fail(std::string(kv.key), "given more than once");
      seen |= 1u << f;
      if (kv.value.is_null()) continue;
      if (!DecodeField(f, kv.value, out)) return false;
    }
    if (out->event_id.empty()) return Fail("event_id", "required");
    if (out->user_id.empty()) return Fail("user_id", "required");
    if (!have_type_) return Fail("type", "required; " + TypeChoices());
    if (!have_ts_) return Fail("ts", "required (RFC 3339 string or epoch milliseconds)");
    if (out->track_id.empty() && EventTypeNeedsTrack(out->type)) {
      return Fail("track_id", "required for type " + std::string(EventTypeName(out->type)));
    }
    return true;
  }

 private:
  enum Field : uint32_t { kEventId, kUserId, kType, kTs, kTrackId, kPositionMs, kContext, kQuery, kUnknown };

  static Field FieldOf(std::string_view key) {
    switch (key.size()) {
      case 2: return key == "ts" ? kTs : kUnknown;
      case 4: return key == "type" ? kType : kUnknown;
      case 5: return key == "query" ? kQuery : kUnknown;
      case 7: return key == "user_id" ? kUserId : (key == "context" ? kContext : kUnknown);
      case 8: return key == "event_id" ? kEventId : (key == "track_id" ? kTrackId : kUnknown);
      case 11: return key == "position_ms" ? kPositionMs : kUnknown;
      default: return kUnknown;
    }
  }

  static std::string Kind(element el) { return std::string(JsonTypeName(el.type())); }

  bool Fail(std::string_view field, std::string error) { return SetFieldError(field, std::move(error), err_); }

  // Optional strings treat "" as absent; ids must not be empty.
  bool String(std::string_view name, element v, size_t max_bytes, bool nonempty, std::string* out) {
    return ReadJsonString(v, name, max_bytes, nonempty, out, err_);
  }

  bool DecodeField(Field f, element v, Event* out) {
    switch (f) {
      case kEventId: return String("event_id", v, limits_.max_id_bytes, true, &out->event_id);
      case kUserId: return String("user_id", v, limits_.max_id_bytes, true, &out->user_id);
      case kTrackId: return String("track_id", v, limits_.max_id_bytes, false, &out->track_id);
      case kQuery: return String("query", v, limits_.max_query_bytes, false, &out->query);
      case kType: return DecodeType(v, out);
      case kTs: return DecodeTs(v, out);
      case kPositionMs: return DecodePosition(v, out);
      case kContext: return DecodeContext(v, &out->context);
      case kUnknown: break;
    }
    return true;
  }

  bool DecodeType(element v, Event* out) {
    if (v.type() != element_type::STRING) return Fail("type", "must be a string, got " + Kind(v));
    const std::string_view name = v.get_string().value_unsafe();
    const std::optional<EventType> type = EventTypeFromName(name);
    if (!type) return Fail("type", "unknown type " + EchoForError(name) + ": " + TypeChoices());
    out->type = *type;
    have_type_ = true;
    return true;
  }

  bool DecodeTs(element v, Event* out) {
    int64_t ts = 0;
    bool from_integer = false;
    switch (v.type()) {
      case element_type::STRING: {
        const std::string_view text = v.get_string().value_unsafe();
        const std::optional<int64_t> parsed = ParseRfc3339Ms(text);
        if (!parsed) return Fail("ts", "not a valid RFC 3339 timestamp: " + EchoForError(text));
        ts = *parsed;
        break;
      }
      case element_type::INT64:
        ts = v.get_int64().value_unsafe();
        from_integer = true;
        break;
      case element_type::UINT64:
        return Fail("ts", "out of range for epoch milliseconds");
      case element_type::DOUBLE:
        return Fail("ts", "must be an integer of epoch milliseconds or an RFC 3339 string, got a fractional number");
      default:
        return Fail("ts", "must be an RFC 3339 string or an integer of epoch milliseconds, got " + Kind(v));
    }
    if (ts < limits_.min_ts_ms) {
      std::string error = "before the earliest accepted time " + FormatRfc3339Ms(limits_.min_ts_ms);
      // Seconds instead of milliseconds is the usual client mistake; say so.
      if (from_integer && ts > 0 && ts * 1000 >= limits_.min_ts_ms) error += " (epoch seconds instead of milliseconds?)";
      return Fail("ts", std::move(error));
    }
    if (ts > now_ms_ + limits_.max_future_skew_ms) {
      return Fail("ts", "more than " + DurationText(limits_.max_future_skew_ms) + " in the future (server time " +
                            FormatRfc3339Ms(now_ms_) + ")");
    }
    out->ts_ms = ts;
    have_ts_ = true;
    return true;
  }

  bool DecodePosition(element v, Event* out) {
    if (v.type() == element_type::DOUBLE) return Fail("position_ms", "must be an integer, got a fractional number");
    if (v.type() == element_type::UINT64) return Fail("position_ms", "out of range");
    if (v.type() != element_type::INT64) return Fail("position_ms", "must be an integer, got " + Kind(v));
    const int64_t pos = v.get_int64().value_unsafe();
    if (pos < 0) return Fail("position_ms", "must not be negative");
    if (pos > limits_.max_position_ms) {
      return Fail("position_ms", "larger than " + std::to_string(limits_.max_position_ms) + " (" +
                                     DurationText(limits_.max_position_ms) + ")");
    }
    out->position_ms = pos;
    return true;
  }

  bool DecodeContext(element v, EventContext* out) {
    if (v.type() != element_type::OBJECT) return Fail("context", "must be an object, got " + Kind(v));
    uint32_t seen = 0;
    const simdjson::dom::object object = v.get_object().value_unsafe();
    for (simdjson::dom::key_value_pair kv : object) {
      const std::string_view key = kv.key;
      const uint32_t bit = key == "device" ? 1 : key == "source" ? 2 : key == "shuffle" ? 4 : key == "rec_id" ? 8 : 0;
      if (bit == 0) continue;
      if (seen & bit) return Fail("context." + std::string(key), "given more than once");
      seen |= bit;
      const element x = kv.value;
      if (x.is_null()) continue;
      switch (bit) {
        case 1:
          if (!String("context.device", x, limits_.max_label_bytes, false, &out->device)) return false;
          break;
        case 2:
          if (!String("context.source", x, limits_.max_label_bytes, false, &out->source)) return false;
          break;
        case 4:
          if (x.type() != element_type::BOOL) return Fail("context.shuffle", "must be true or false, got " + Kind(x));
          out->shuffle = x.get_bool().value_unsafe();
          break;
        default:
          if (!String("context.rec_id", x, limits_.max_rec_id_bytes, false, &out->rec_id)) return false;
      }
    }
    return true;
  }

  const ParseLimits& limits_;
  const int64_t now_ms_;
  FieldError* err_ = nullptr;
  bool have_ts_ = false;
  bool have_type_ = false;
};

}  // namespace

Result<ParsedBatch> ParseEventBatch(std::string_view body, BodyFormat format, const ParseLimits& limits,
                                    int64_t now_ms) {
  ParsedBatch batch;
  batch.events.reserve(std::min<size_t>(body.size() / 128 + 1, limits.max_events_per_batch));
  auto decode = [&](element el, Event* out, FieldError* err) { return EventDecoder(limits, now_ms).Decode(el, out, err); };
  Status status = DecodeBatch(body, format, limits.max_events_per_batch, "events", decode, &batch.events,
                              &batch.source_index, &batch.rejected);
  if (!status.ok()) return status;
  return batch;
}

Result<Event> ParseEvent(std::string_view json, const ParseLimits& limits, int64_t now_ms) {
  return DecodeDocument<Event>(
      json, [&](element el, Event* out, FieldError* err) { return EventDecoder(limits, now_ms).Decode(el, out, err); });
}

}  // namespace segue
