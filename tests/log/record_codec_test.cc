#include "log/record_codec.h"

#include <gtest/gtest.h>

#include <limits>

namespace segue {
namespace {

LoggedEvent FullRecord() {
  LoggedEvent r;
  r.partition = 13;
  r.seq = 1234567890123ULL;
  r.ingest_ms = 1700000000123;
  r.event.event_id = "ev-1";
  r.event.user_id = "user-ü";  // UTF-8 passes through as bytes
  r.event.type = EventType::kSearch;
  r.event.ts_ms = 1699999999000;
  r.event.track_id = "spotify:track:abc";
  r.event.position_ms = 65000;
  r.event.context.device = "phone";
  r.event.context.source = "playlist";
  r.event.context.shuffle = true;
  r.event.context.rec_id = "rec-9";
  r.event.query = std::string("bach\0cello", 10);  // embedded NUL survives
  return r;
}

LoggedEvent RoundTrip(const LoggedEvent& in) {
  std::string bytes;
  EncodeLoggedEvent(in, &bytes);
  LoggedEvent out;
  Status s = DecodeLoggedEvent(bytes, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(RecordCodec, RoundTripsEveryField) {
  const LoggedEvent r = FullRecord();
  EXPECT_EQ(RoundTrip(r), r);
}

TEST(RecordCodec, RoundTripsDefaultsAndExtremes) {
  LoggedEvent r;  // empty strings, shuffle absent, position -1
  EXPECT_EQ(RoundTrip(r), r);
  r.event.context.shuffle = false;
  r.event.type = EventType::kDislike;
  r.seq = std::numeric_limits<uint64_t>::max();
  r.partition = std::numeric_limits<uint32_t>::max();
  r.ingest_ms = std::numeric_limits<int64_t>::min();
  r.event.ts_ms = std::numeric_limits<int64_t>::max();  // delta wraps; must still decode exactly
  r.event.position_ms = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(RoundTrip(r), r);
}

TEST(RecordCodec, IsCompact) {
  std::string bytes;
  EncodeLoggedEvent(FullRecord(), &bytes);
  size_t strings = 0;
  const Event& e = FullRecord().event;
  for (const std::string* s : {&e.event_id, &e.user_id, &e.track_id, &e.context.device, &e.context.source,
                               &e.context.rec_id, &e.query}) {
    strings += s->size() + 1;
  }
  // version + partition + 6-byte seq varint + 6-byte ingest + 2-byte delta + type + 3-byte position +
  // shuffle: the fixed part stays under 24 bytes.
  EXPECT_LT(bytes.size() - strings, 24u) << bytes.size();
}

TEST(RecordCodec, EveryTruncationIsCorruption) {
  std::string bytes;
  EncodeLoggedEvent(FullRecord(), &bytes);
  for (size_t len = 0; len < bytes.size(); ++len) {
    LoggedEvent out;
    Status s = DecodeLoggedEvent(std::string_view(bytes).substr(0, len), &out);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "length " << len;
  }
}

TEST(RecordCodec, RejectsTrailingBytesBadVersionTypeAndShuffle) {
  std::string bytes;
  EncodeLoggedEvent(FullRecord(), &bytes);
  LoggedEvent out;

  Status s = DecodeLoggedEvent(bytes + "x", &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("trailing"), std::string::npos) << s.message();

  std::string bad = bytes;
  bad[0] = 7;
  s = DecodeLoggedEvent(bad, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("version 7"), std::string::npos) << s.message();

  // A record with small numbers has a fixed prefix: version, partition, seq, ingest, delta, type, ...
  LoggedEvent small;
  small.seq = 1;
  std::string b2;
  EncodeLoggedEvent(small, &b2);
  ASSERT_EQ(static_cast<uint8_t>(b2[5]), static_cast<uint8_t>(EventType::kPlay));
  b2[5] = static_cast<char>(kEventTypeCount);
  s = DecodeLoggedEvent(b2, &out);
  EXPECT_NE(s.message().find("'type'"), std::string::npos) << s.message();
  b2[5] = 0;
  b2[7] = 3;  // shuffle byte (position -1 is the one-byte zigzag 1 at index 6)
  s = DecodeLoggedEvent(b2, &out);
  EXPECT_NE(s.message().find("'shuffle'"), std::string::npos) << s.message();
}

TEST(RecordCodec, RejectsOverlongVarintAndOversizedLength) {
  LoggedEvent out;
  std::string bytes(1, static_cast<char>(kRecordFormatVersion));
  bytes.append(11, static_cast<char>(0x80));
  EXPECT_EQ(DecodeLoggedEvent(bytes, &out).code(), StatusCode::kCorruption);

  LoggedEvent small;
  std::string b;
  EncodeLoggedEvent(small, &b);
  // Last byte is the query length (0): claim 100 bytes that are not there.
  b.back() = 100;
  Status s = DecodeLoggedEvent(b, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("'query'"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace segue
