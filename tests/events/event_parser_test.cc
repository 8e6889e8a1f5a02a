// A corpus of good and malformed event batches: every field wrong in every way, broken framing, limits.
#include "events/event_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace segue {
namespace {

constexpr int64_t kNow = 1700000000000;  // 2023-11-14T22:13:20Z

const char* const kGood =
    R"({"event_id":"e1","user_id":"u1","type":"play","ts":"2023-11-14T22:00:00Z","track_id":"t1",)"
    R"("position_ms":0,"context":{"device":"phone","source":"playlist","shuffle":false,"rec_id":"r1"}})";

Result<Event> Parse(const std::string& json) { return ParseEvent(json, ParseLimits{}, kNow); }

// The single rejection of a one-event NDJSON batch.
Rejection RejectOne(const std::string& json) {
  Result<ParsedBatch> b = ParseEventBatch(json, BodyFormat::kNdjson, ParseLimits{}, kNow);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  if (!b.ok()) return {};
  EXPECT_TRUE(b->events.empty()) << json;
  EXPECT_EQ(b->rejected.size(), 1u) << json;
  return b->rejected.empty() ? Rejection{} : b->rejected[0];
}

// Replaces `"key":<old value>` in kGood-like JSON by a different raw value.
std::string With(std::string_view raw_field) {
  std::string base = R"({"event_id":"e1","user_id":"u1","type":"skip","ts":1699999990000,"track_id":"t1")";
  return base + "," + std::string(raw_field) + "}";
}

TEST(EventParserTest, ParsesAFullEvent) {
  Result<Event> e = Parse(kGood);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->event_id, "e1");
  EXPECT_EQ(e->user_id, "u1");
  EXPECT_EQ(e->type, EventType::kPlay);
  EXPECT_EQ(e->ts_ms, 1699999200000);
  EXPECT_EQ(e->track_id, "t1");
  EXPECT_EQ(e->position_ms, 0);
  EXPECT_EQ(e->context.device, "phone");
  EXPECT_EQ(e->context.source, "playlist");
  EXPECT_EQ(e->context.shuffle, false);
  EXPECT_EQ(e->context.rec_id, "r1");
}

TEST(EventParserTest, TimestampForms) {
  EXPECT_EQ(Parse(With(R"("x":1)"))->ts_ms, 1699999990000);  // integer epoch ms
  auto ts = [](const std::string& t) {
    return ParseEvent(R"({"event_id":"e","user_id":"u","type":"exit","ts":)" + t + "}", ParseLimits{}, kNow);
  };
  EXPECT_EQ(ts(R"("2023-11-14T23:00:00.5+01:00")")->ts_ms, 1699999200500);
  EXPECT_EQ(ts(R"("2023-11-14T22:13:20.000Z")")->ts_ms, kNow);
  EXPECT_TRUE(ts("1700000300000").ok());   // exactly 5 minutes ahead is allowed
  EXPECT_FALSE(ts("1700000300001").ok());  // one ms more is not
  EXPECT_TRUE(ts("946684800000").ok());    // 2000-01-01 is the earliest
  EXPECT_FALSE(ts("946684799999").ok());
}

TEST(EventParserTest, OptionalFieldsAndNulls) {
  Result<Event> e = Parse(R"({"event_id":"e","user_id":"u","type":"pause","ts":1699999990000,)"
                          R"("track_id":null,"position_ms":null,"context":null,"query":null})");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->track_id, "");
  EXPECT_EQ(e->position_ms, -1);
  EXPECT_EQ(e->context, EventContext{});
  // search needs no track; the query is kept
  e = Parse(R"({"event_id":"e","user_id":"u","type":"search","ts":1699999990000,"query":"abba"})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->query, "abba");
  // unknown fields, at the top and in context, are ignored
  e = Parse(With(R"("app_version":"1.2","extra":{"deep":[1,2,{"x":null}]},"context":{"volume":3,"shuffle":true})"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->context.shuffle, true);
}

struct BadCase {
  std::string json;
  std::string field;
  std::string error_contains;
};

TEST(EventParserTest, EveryFieldWrongInEveryWay) {
  const std::string long129(129, 'x');
  const std::vector<BadCase> cases = {
      // the event itself
      {"[]", "", "must be a JSON object, got an array"},
      {"\"play\"", "", "got a string"},
      {"42", "", "got a number"},
      {"null", "", "got null"},
      {"{}", "event_id", "required"},
      // event_id
      {R"({"user_id":"u","type":"exit","ts":1699999990000})", "event_id", "required"},
      {R"({"event_id":"","user_id":"u","type":"exit","ts":1699999990000})", "event_id", "must not be empty"},
      {R"({"event_id":7,"user_id":"u","type":"exit","ts":1699999990000})", "event_id", "must be a string, got a number"},
      {R"({"event_id":["e"],"user_id":"u","type":"exit","ts":1699999990000})", "event_id", "got an array"},
      {R"({"event_id":")" + long129 + R"(","user_id":"u","type":"exit","ts":1699999990000})", "event_id",
       "longer than 128 bytes (129)"},
      {R"({"event_id":"a","event_id":"b","user_id":"u","type":"exit","ts":1699999990000})", "event_id",
       "given more than once"},
      // user_id
      {R"({"event_id":"e","type":"exit","ts":1699999990000})", "user_id", "required"},
      {R"({"event_id":"e","user_id":null,"type":"exit","ts":1699999990000})", "user_id", "required"},
      {R"({"event_id":"e","user_id":true,"type":"exit","ts":1699999990000})", "user_id", "got a boolean"},
      {R"({"event_id":"e","user_id":{},"type":"exit","ts":1699999990000})", "user_id", "got an object"},
      // type
      {R"({"event_id":"e","user_id":"u","ts":1699999990000})", "type", "required; must be one of play, pause"},
      {R"({"event_id":"e","user_id":"u","type":null,"ts":1699999990000})", "type", "required"},
      {R"({"event_id":"e","user_id":"u","type":"PLAY","ts":1699999990000})", "type",
       "unknown type \"PLAY\": must be one of play, pause, resume, seek, skip, complete, search, exit, like, dislike"},
      {R"({"event_id":"e","user_id":"u","type":3,"ts":1699999990000})", "type", "must be a string"},
      // ts
      {R"({"event_id":"e","user_id":"u","type":"exit"})", "ts", "required"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":"yesterday"})", "ts",
       "not a valid RFC 3339 timestamp: \"yesterday\""},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":"2023-02-30T00:00:00Z"})", "ts", "not a valid RFC 3339"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":"2023-11-14T22:00:00"})", "ts", "not a valid RFC 3339"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":1699999990000.5})", "ts", "fractional"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":true})", "ts", "got a boolean"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":18446744073709551615})", "ts", "out of range"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":-5})", "ts", "before the earliest accepted time"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":1699999990})", "ts",
       "(epoch seconds instead of milliseconds?)"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":"2023-11-14T22:18:21Z"})", "ts",
       "more than 5 minutes in the future (server time 2023-11-14T22:13:20.000Z)"},
      {R"({"event_id":"e","user_id":"u","type":"exit","ts":"3023-11-14T22:18:21Z"})", "ts", "in the future"},
      // track_id
      {R"({"event_id":"e","user_id":"u","type":"skip","ts":1699999990000})", "track_id", "required for type skip"},
      {R"({"event_id":"e","user_id":"u","type":"play","ts":1699999990000,"track_id":""})", "track_id",
       "required for type play"},
      {R"({"event_id":"e","user_id":"u","type":"like","ts":1699999990000,"track_id":null})", "track_id",
       "required for type like"},
      {R"({"event_id":"e","user_id":"u","type":"seek","ts":1699999990000,"track_id":12})", "track_id",
       "must be a string"},
      {With(R"("track_id":"again")"), "track_id", "given more than once"},
      // position_ms
      {With(R"("position_ms":-1)"), "position_ms", "must not be negative"},
      {With(R"("position_ms":1.5)"), "position_ms", "fractional"},
      {With(R"("position_ms":"100")"), "position_ms", "must be an integer, got a string"},
      {With(R"("position_ms":86400001)"), "position_ms", "larger than 86400000 (1440 minutes)"},
      {With(R"("position_ms":18446744073709551615)"), "position_ms", "out of range"},
      // context
      {With(R"("context":"phone")"), "context", "must be an object, got a string"},
      {With(R"("context":[])"), "context", "must be an object, got an array"},
      {With(R"("context":{"shuffle":"yes"})"), "context.shuffle", "must be true or false, got a string"},
      {With(R"("context":{"shuffle":1})"), "context.shuffle", "got a number"},
      {With(R"("context":{"device":5})"), "context.device", "must be a string"},
      {With(R"("context":{"source":")" + std::string(65, 's') + R"("})"), "context.source", "longer than 64 bytes"},
      {With(R"("context":{"rec_id":")" + long129 + R"("})"), "context.rec_id", "longer than 128 bytes"},
      {With(R"("context":{"device":"a","device":"b"})"), "context.device", "given more than once"},
      // query
      {With(R"("query":")" + std::string(513, 'q') + R"(")"), "query", "longer than 512 bytes (513)"},
      {With(R"("query":["a"])"), "query", "must be a string"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.json.substr(0, 200));
    const Rejection r = RejectOne(c.json);
    EXPECT_EQ(r.index, 0u);
    EXPECT_EQ(r.field, c.field);
    EXPECT_NE(r.error.find(c.error_contains), std::string::npos) << "error was: " << r.error;
    // The single-object entry point reports the same problem as "FIELD: REASON".
    Result<Event> single = Parse(c.json);
    ASSERT_FALSE(single.ok());
    EXPECT_EQ(single.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(single.status().message().find(c.error_contains), std::string::npos);
  }
}

TEST(EventParserTest, LongStringIsEchoedShortAndWholeUtf8) {
  // 39 ASCII bytes then a 2-byte character straddling the 40-byte echo limit.
  const std::string type = std::string(39, 'a') + "\xc3\xa9" + "zzz";
  const Rejection r = RejectOne(R"({"event_id":"e","user_id":"u","type":")" + type + R"(","ts":1699999990000})");
  EXPECT_NE(r.error.find("\"" + std::string(39, 'a') + "...\""), std::string::npos) << r.error;
}

TEST(EventParserTest, WholeBodyErrors) {
  const ParseLimits limits;
  struct Case {
    std::string body;
    BodyFormat format;
    StatusCode code;
    std::string contains;
  };
  const std::vector<Case> cases = {
      {"", BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "request body is empty"},
      {" \r\n\t", BodyFormat::kNdjson, StatusCode::kInvalidArgument, "request body is empty"},
      {"[", BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "not valid JSON"},
      {std::string("[") + kGood, BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "not valid JSON"},
      {std::string("[") + kGood + ",]", BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "not valid JSON"},
      {std::string(kGood), BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "must be a JSON array of events, got an object"},
      {"\"x\"", BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "got a string"},
      {"[1] [2]", BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "not valid JSON"},
      {"[\"\xff\"]", BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "UTF-8"},
      {std::string(100000, '[') , BodyFormat::kJsonArray, StatusCode::kInvalidArgument, "not valid JSON"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 80));
    Result<ParsedBatch> b = ParseEventBatch(c.body, c.format, limits, kNow);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().code(), c.code);
    EXPECT_NE(b.status().message().find(c.contains), std::string::npos) << b.status().message();
  }
}

TEST(EventParserTest, TooManyEventsIsResourceExhausted) {
  ParseLimits limits;
  limits.max_events_per_batch = 3;
  std::string array = "[", ndjson;
  for (int i = 0; i < 4; ++i) {
    array += std::string(i ? "," : "") + kGood;
    ndjson += std::string(kGood) + "\n";
  }
  array += "]";
  Result<ParsedBatch> a = ParseEventBatch(array, BodyFormat::kJsonArray, limits, kNow);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(a.status().message().find("4 events, more than the limit of 3"), std::string::npos);
  Result<ParsedBatch> n = ParseEventBatch(ndjson, BodyFormat::kNdjson, limits, kNow);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kResourceExhausted);
  // Exactly at the limit is fine; blank lines do not count.
  limits.max_events_per_batch = 4;
  EXPECT_TRUE(ParseEventBatch(ndjson + "\n\n", BodyFormat::kNdjson, limits, kNow).ok());
}

TEST(EventParserTest, ArrayKeepsGoodEventsAndIndexesRejections) {
  const std::string body = std::string("[") + kGood + R"(,{"event_id":"x"},)" + kGood + R"(,17])";
  Result<ParsedBatch> b = ParseEventBatch(body, BodyFormat::kJsonArray, ParseLimits{}, kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->events.size(), 2u);
  EXPECT_EQ(b->source_index, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(b->rejected.size(), 2u);
  EXPECT_EQ(b->rejected[0], (Rejection{1, "user_id", "required"}));
  EXPECT_EQ(b->rejected[1].index, 3u);
  EXPECT_EQ(b->rejected[1].field, "");
  // An empty array is a valid, empty batch.
  b = ParseEventBatch(" [ ] ", BodyFormat::kJsonArray, ParseLimits{}, kNow);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->events.empty() && b->rejected.empty());
}

TEST(EventParserTest, OutOfRangeNumberRejectsOnlyItsEvent) {
  // 1e400 overflows a double; the 23-digit integer overflows 64 bits. Both are valid JSON, so the batch
  // stands and only the event holding them is rejected, naming the field even when it is unknown.
  const std::string body = std::string("[") + kGood + "," + With(R"("junk":{"x":[1,1e400]})") + "," +
                           With(R"("position_ms":12345678901234567890123)") + "," + kGood + "]";
  for (BodyFormat format : {BodyFormat::kJsonArray, BodyFormat::kNdjson}) {
    std::string framed = body;
    if (format == BodyFormat::kNdjson) {
      framed = std::string(kGood) + "\n" + With(R"("junk":{"x":[1,1e400]})") + "\n" +
               With(R"("position_ms":12345678901234567890123)") + "\n" + kGood;
    }
    Result<ParsedBatch> b = ParseEventBatch(framed, format, ParseLimits{}, kNow);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_EQ(b->source_index, (std::vector<size_t>{0, 3}));
    ASSERT_EQ(b->rejected.size(), 2u);
    EXPECT_EQ(b->rejected[0].index, 1u);
    EXPECT_EQ(b->rejected[0].field, "junk.x[1]");
    EXPECT_NE(b->rejected[0].error.find("out of range"), std::string::npos) << b->rejected[0].error;
    EXPECT_EQ(b->rejected[1].index, 2u);
    EXPECT_EQ(b->rejected[1].field, "position_ms");
  }
  // A structural error elsewhere still fails the whole array.
  EXPECT_FALSE(ParseEventBatch("[" + With(R"("n":1e400)") + ",{]", BodyFormat::kJsonArray, ParseLimits{}, kNow).ok());
  // A bare out-of-range number as an element is rejected as that element.
  Result<ParsedBatch> bare = ParseEventBatch(std::string("[1e400,") + kGood + "]", BodyFormat::kJsonArray, ParseLimits{}, kNow);
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ(bare->events.size(), 1u);
  ASSERT_EQ(bare->rejected.size(), 1u);
  EXPECT_EQ(bare->rejected[0].field, "");
}

TEST(EventParserTest, NdjsonBlankLinesCrlfAndMalformedLines) {
  const std::string body = std::string("\r\n") + kGood + "\r\n" +  // 0: good, CRLF
                           "   \n" +                                 // blank: not an element
                           R"({"event_id":"e2","user_id":"u1","type":"play")" + "\n" +  // 1: truncated
                           "[" + kGood + "]\n" +                      // 2: an array, not an object
                           kGood + " " + kGood + "\n" +               // 3: two objects on one line
                           "{\"event_id\":\"e\xc3\"}\n" +             // 4: invalid UTF-8
                           kGood;                                     // 5: good, no trailing newline
  Result<ParsedBatch> b = ParseEventBatch(body, BodyFormat::kNdjson, ParseLimits{}, kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->source_index, (std::vector<size_t>{0, 5}));
  ASSERT_EQ(b->rejected.size(), 4u);
  EXPECT_EQ(b->rejected[0].index, 1u);
  EXPECT_NE(b->rejected[0].error.find("line is not valid JSON"), std::string::npos);
  EXPECT_EQ(b->rejected[1].index, 2u);
  EXPECT_EQ(b->rejected[1].error, "must be a JSON object, got an array");
  EXPECT_EQ(b->rejected[2].index, 3u);
  EXPECT_NE(b->rejected[2].error.find("line is not valid JSON"), std::string::npos);
  EXPECT_EQ(b->rejected[3].index, 4u);
  EXPECT_NE(b->rejected[3].error.find("UTF-8"), std::string::npos);
}

TEST(EventParserTest, HugeAndDeeplyNestedGarbageInUnknownFieldsIsBounded) {
  // Ignored fields still have to be valid JSON; deep nesting beyond simdjson's depth limit is malformed.
  const std::string deep = With(R"("junk":)" + std::string(2000, '[') + std::string(2000, ']'));
  Result<ParsedBatch> b = ParseEventBatch(deep, BodyFormat::kNdjson, ParseLimits{}, kNow);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->rejected.size(), 1u);
  EXPECT_NE(b->rejected[0].error.find("not valid JSON"), std::string::npos) << b->rejected[0].error;
  // A large ignored string is fine (the body limit is the server's job).
  EXPECT_TRUE(Parse(With(R"("blob":")" + std::string(1 << 20, 'b') + "\"")).ok());
}

TEST(EventParserTest, ParserIsReusableAfterErrors) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(ParseEventBatch("[{", BodyFormat::kJsonArray, ParseLimits{}, kNow).ok());
    Result<ParsedBatch> b = ParseEventBatch(std::string("[") + kGood + "]", BodyFormat::kJsonArray, ParseLimits{}, kNow);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->events.size(), 1u);
  }
}

}  // namespace
}  // namespace segue
