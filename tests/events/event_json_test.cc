#include "events/event_json.h"

#include <gtest/gtest.h>

#include "events/event_parser.h"

namespace segue {
namespace {

constexpr int64_t kNow = 1700000000000;  // 2023-11-14T22:13:20Z

Event FullEvent() {
  Event e;
  e.event_id = "e-1";
  e.user_id = "u\"1\\";
  e.type = EventType::kSkip;
  e.ts_ms = 1699999999123;
  e.track_id = "t\n1";
  e.position_ms = 31000;
  e.context = {"phone", "playlist", true, "rec-9"};
  e.query = "caf\xc3\xa9 \x01";
  return e;
}

TEST(EventTypeTest, NamesRoundTripAndTrackRequirement) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto type = static_cast<EventType>(i);
    EXPECT_EQ(EventTypeFromName(EventTypeName(type)), type);
  }
  EXPECT_EQ(EventTypeFromName("Play"), std::nullopt);
  EXPECT_EQ(EventTypeFromName(""), std::nullopt);
  EXPECT_TRUE(EventTypeNeedsTrack(EventType::kPlay));
  EXPECT_TRUE(EventTypeNeedsTrack(EventType::kDislike));
  EXPECT_TRUE(EventTypeNeedsTrack(EventType::kSeek));
  EXPECT_FALSE(EventTypeNeedsTrack(EventType::kPause));
  EXPECT_FALSE(EventTypeNeedsTrack(EventType::kSearch));
  EXPECT_FALSE(EventTypeNeedsTrack(EventType::kExit));
}

TEST(EventJsonTest, WritesEveryFieldEscaped) {
  EXPECT_EQ(EventToJson(FullEvent()),
            R"({"event_id":"e-1","user_id":"u\"1\\","type":"skip","ts":"2023-11-14T22:13:19.123Z",)"
            R"("track_id":"t\n1","position_ms":31000,"context":{"device":"phone","source":"playlist",)"
            R"("shuffle":true,"rec_id":"rec-9"},"query":"café \u0001"})");
}

TEST(EventJsonTest, OmitsAbsentOptionalFields) {
  Event e;
  e.event_id = "a";
  e.user_id = "b";
  e.type = EventType::kExit;
  e.ts_ms = 0;
  EXPECT_EQ(EventToJson(e), R"({"event_id":"a","user_id":"b","type":"exit","ts":"1970-01-01T00:00:00.000Z"})");
  e.context.shuffle = false;
  EXPECT_EQ(EventToJson(e),
            R"({"event_id":"a","user_id":"b","type":"exit","ts":"1970-01-01T00:00:00.000Z","context":{"shuffle":false}})");
}

TEST(EventJsonTest, LoggedEventPutsLogFieldsFirst) {
  LoggedEvent l;
  l.partition = 3;
  l.seq = 18446744073709551615ULL;
  l.ingest_ms = 1700000000001;
  l.event = FullEvent();
  const std::string json = LoggedEventToJson(l);
  EXPECT_EQ(json.rfind(R"({"seq":18446744073709551615,"partition":3,"ingest_ts":"2023-11-14T22:13:20.001Z","event_id":"e-1",)", 0), 0u)
      << json;
}

TEST(EventJsonTest, ParsesBackToAnEqualEvent) {
  const Event e = FullEvent();
  Result<Event> back = ParseEvent(EventToJson(e), ParseLimits{}, kNow);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);

  std::string ndjson;
  for (int i = 0; i < 3; ++i) {
    Event x = e;
    x.event_id = "e" + std::to_string(i);
    AppendEventJson(x, &ndjson);
    ndjson += '\n';
  }
  Result<ParsedBatch> batch = ParseEventBatch(ndjson, BodyFormat::kNdjson, ParseLimits{}, kNow);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->events.size(), 3u);
  EXPECT_EQ(batch->events[2].event_id, "e2");
}

}  // namespace
}  // namespace segue
