#include "log/record_codec.h"

#include <cstdint>
#include <string>

namespace segue {
namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

// Reads fields front to back; the first failure is sticky so call sites stay linear.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool Varint(const char* field, uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Fail(field, "truncated varint");
      const auto byte = static_cast<uint8_t>(data_[pos_++]);
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return Fail(field, "varint longer than 10 bytes");
  }
  bool Signed(const char* field, int64_t* v) {
    uint64_t u = 0;
    if (!Varint(field, &u)) return false;
    *v = UnZigZag(u);
    return true;
  }
  bool Byte(const char* field, uint8_t* v) {
    if (pos_ >= data_.size()) return Fail(field, "truncated");
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool String(const char* field, std::string* s) {
    uint64_t len = 0;
    if (!Varint(field, &len)) return false;
    if (len > data_.size() - pos_) return Fail(field, "length runs past the end of the record");
    s->assign(data_.substr(pos_, len));
    pos_ += len;
    return true;
  }
  bool Fail(const char* field, const char* what) {
    if (status_.ok()) {
      status_ = Status::Corruption(std::string("log record: field '") + field + "': " + what);
    }
    return false;
  }
  bool AtEnd() const { return pos_ == data_.size(); }
  Status status() const { return status_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  Status status_;
};

}  // namespace

void EncodeLoggedEvent(const LoggedEvent& record, std::string* out) {
  const Event& e = record.event;
  out->push_back(static_cast<char>(kRecordFormatVersion));
  PutVarint(record.partition, out);
  PutVarint(record.seq, out);
  PutVarint(ZigZag(record.ingest_ms), out);
  // Wrapping subtraction: defined for any pair of timestamps, undone exactly by the decoder.
  PutVarint(ZigZag(static_cast<int64_t>(static_cast<uint64_t>(record.ingest_ms) -
                                        static_cast<uint64_t>(e.ts_ms))),
            out);
  out->push_back(static_cast<char>(e.type));
  PutVarint(ZigZag(e.position_ms), out);
  out->push_back(static_cast<char>(!e.context.shuffle ? 0 : (*e.context.shuffle ? 2 : 1)));
  PutString(e.event_id, out);
  PutString(e.user_id, out);
  PutString(e.track_id, out);
  PutString(e.context.device, out);
  PutString(e.context.source, out);
  PutString(e.context.rec_id, out);
  PutString(e.query, out);
}

Status DecodeLoggedEvent(std::string_view data, LoggedEvent* out) {
  Reader r(data);
  uint8_t version = 0;
  if (!r.Byte("version", &version)) return r.status();
  if (version != kRecordFormatVersion) {
    return Status::Corruption("log record: unknown format version " + std::to_string(version));
  }
  LoggedEvent rec;
  Event& e = rec.event;
  uint64_t partition = 0;
  int64_t ts_delta = 0;
  uint8_t type = 0;
  uint8_t shuffle = 0;
  if (r.Varint("partition", &partition) && partition > UINT32_MAX) r.Fail("partition", "out of range");
  if (r.status().ok() && r.Varint("seq", &rec.seq) && r.Signed("ingest_ms", &rec.ingest_ms) &&
      r.Signed("ts_ms", &ts_delta) && r.Byte("type", &type)) {
    if (type >= kEventTypeCount) r.Fail("type", "unknown event type");
  }
  if (r.status().ok() && r.Signed("position_ms", &e.position_ms) && r.Byte("shuffle", &shuffle)) {
    if (shuffle > 2) r.Fail("shuffle", "value out of range");
  }
  if (r.status().ok()) {
    (void)(r.String("event_id", &e.event_id) && r.String("user_id", &e.user_id) &&
           r.String("track_id", &e.track_id) && r.String("device", &e.context.device) &&
           r.String("source", &e.context.source) && r.String("rec_id", &e.context.rec_id) &&
           r.String("query", &e.query));
  }
  if (r.status().ok() && !r.AtEnd()) r.Fail("query", "trailing bytes after the last field");
  if (!r.status().ok()) return r.status();
  rec.partition = static_cast<uint32_t>(partition);
  e.ts_ms = static_cast<int64_t>(static_cast<uint64_t>(rec.ingest_ms) - static_cast<uint64_t>(ts_delta));
  e.type = static_cast<EventType>(type);
  if (shuffle != 0) e.context.shuffle = (shuffle == 2);
  *out = std::move(rec);
  return Status::Ok();
}

}  // namespace segue
