#include "catalog/track_json.h"

#include <gtest/gtest.h>

namespace segue {
namespace {

Track Full() {
  Track t;
  t.track_id = "spotify:track:1";
  t.title = "Dancing \"Queen\"";
  t.artist = "ABBA";
  t.album = "Arrival";
  t.genres = {"pop", "disco"};
  t.language = "en";
  t.duration_ms = 230400;
  t.release_date = "1976-08-16";
  t.popularity = 81.5f;
  t.explicit_content = false;
  t.audio_features = {0.1f, -7.25f, 120.0f, 1e-7f};
  return t;
}

TEST(TrackJsonTest, WritesSchemaOrderAndShortestFloats) {
  EXPECT_EQ(TrackToJson(Full()),
            R"({"id":"spotify:track:1","title":"Dancing \"Queen\"","artist":"ABBA","album":"Arrival",)"
            R"("genres":["pop","disco"],"language":"en","duration_ms":230400,"release_date":"1976-08-16",)"
            R"("popularity":81.5,"explicit":false,"audio_features":[0.1,-7.25,120,1e-07]})");
  Track minimal;
  minimal.track_id = "x";
  EXPECT_EQ(TrackToJson(minimal), R"({"id":"x","duration_ms":0,"popularity":0,"explicit":false})");
}

TEST(TrackJsonTest, RoundTrips) {
  Result<Track> back = ParseTrackJson(TrackToJson(Full()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Full());
}

TEST(TrackJsonTest, AcceptsNullsUnknownFieldsAndPartialDates) {
  Result<Track> t = ParseTrackJson(
      R"({"id":"a","title":null,"genres":[],"release_date":"1999","popularity":7,"mood":"sad","extra":[1,{"x":2}]})");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->release_date, "1999");
  EXPECT_EQ(t->popularity, 7.0f);
  EXPECT_TRUE(ParseTrackJson(R"({"id":"a","release_date":"2020-02"})").ok());
  EXPECT_TRUE(ParseTrackJson(R"({"id":"a","release_date":"2020-02-29"})").ok());
}

TEST(TrackJsonTest, RejectsEveryFieldWrong) {
  struct Case {
    std::string json;
    std::string message;  // exact "FIELD: REASON"
  };
  const std::vector<Case> cases = {
      {"[]", "must be a JSON object, got an array"},
      {R"({"title":"x"})", "id: required"},
      {R"({"id":""})", "id: must not be empty"},
      {R"({"id":5})", "id: must be a string, got a number"},
      {R"({"id":"a","id":"b"})", "id: given more than once"},
      {R"({"id":")" + std::string(129, 'i') + R"("})", "id: longer than 128 bytes (129)"},
      {R"({"id":"a","title":")" + std::string(513, 't') + R"("})", "title: longer than 512 bytes (513)"},
      {R"({"id":"a","artist":")" + std::string(257, 'a') + R"("})", "artist: longer than 256 bytes (257)"},
      {R"({"id":"a","album":false})", "album: must be a string, got a boolean"},
      {R"({"id":"a","genres":"pop"})", "genres: must be an array of strings, got a string"},
      {R"({"id":"a","genres":["pop",3]})", "genres[1]: must be a string, got a number"},
      {R"({"id":"a","genres":["pop",""]})", "genres[1]: must not be empty"},
      {R"({"id":"a","genres":[)" + std::string(16 * 4, ' ') + R"("a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a"]})",
       "genres: more than 16 genres"},
      {R"({"id":"a","language":")" + std::string(17, 'l') + R"("})", "language: longer than 16 bytes (17)"},
      {R"({"id":"a","duration_ms":-1})", "duration_ms: must not be negative"},
      {R"({"id":"a","duration_ms":1.5})", "duration_ms: must be an integer, got a fractional number"},
      {R"({"id":"a","duration_ms":"200"})", "duration_ms: must be an integer, got a string"},
      {R"({"id":"a","duration_ms":86400001})", "duration_ms: larger than 86400000"},
      {R"({"id":"a","duration_ms":18446744073709551615})", "duration_ms: larger than 86400000"},
      {R"({"id":"a","release_date":"1976-13-01"})",
       "release_date: not a valid date \"1976-13-01\": use YYYY, YYYY-MM or YYYY-MM-DD"},
      {R"({"id":"a","release_date":"2019-02-29"})", "release_date: not a valid date \"2019-02-29\": use YYYY, YYYY-MM or YYYY-MM-DD"},
      {R"({"id":"a","release_date":"76"})", "release_date: not a valid date \"76\": use YYYY, YYYY-MM or YYYY-MM-DD"},
      {R"({"id":"a","release_date":1976})", "release_date: must be a date string YYYY, YYYY-MM or YYYY-MM-DD"},
      {R"({"id":"a","release_date":"1976-08-16T00:00:00Z"})", "release_date: must be a date string YYYY, YYYY-MM or YYYY-MM-DD"},
      {R"({"id":"a","popularity":101})", "popularity: must be from 0 to 100"},
      {R"({"id":"a","popularity":-0.5})", "popularity: must be from 0 to 100"},
      {R"({"id":"a","popularity":"high"})", "popularity: must be a number from 0 to 100, got a string"},
      {R"({"id":"a","explicit":1})", "explicit: must be true or false, got a number"},
      {R"({"id":"a","audio_features":{"tempo":120}})", "audio_features: must be an array of numbers, got an object"},
      {R"({"id":"a","audio_features":[1,"2"]})", "audio_features[1]: must be a number, got a string"},
      {R"({"id":"a","audio_features":[1e300]})", "audio_features[0]: out of range for a 32-bit float"},
      {R"({"id":"a","audio_features":[)" + [] {
         std::string s;
         for (int i = 0; i < 65; ++i) s += i ? ",0" : "0";
         return s;
       }() + "]}",
       "audio_features: more than 64 values"},
  };
  for (const Case& c : cases) {
    Result<Track> t = ParseTrackJson(c.json);
    ASSERT_FALSE(t.ok()) << c.json;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().message(), c.message) << c.json.substr(0, 120);
  }
}

TEST(TrackJsonTest, BatchFramingMatchesEvents) {
  const std::string good = TrackToJson(Full());
  Result<ParsedTracks> b = ParseTrackBatch("[" + good + R"(,{"id":7},)" + good + "]", BodyFormat::kJsonArray);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->tracks.size(), 2u);
  EXPECT_EQ(b->source_index, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(b->rejected.size(), 1u);
  EXPECT_EQ(b->rejected[0], (Rejection{1, "id", "must be a string, got a number"}));

  b = ParseTrackBatch(good + "\r\n\r\n{\"id\":\n" + good + "\n", BodyFormat::kNdjson);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->source_index, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(b->rejected.size(), 1u);
  EXPECT_EQ(b->rejected[0].index, 1u);

  EXPECT_EQ(ParseTrackBatch("", BodyFormat::kNdjson).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTrackBatch("{}", BodyFormat::kJsonArray).status().message(),
            "request body must be a JSON array of tracks, got an object");
  TrackLimits limits;
  limits.max_tracks_per_batch = 1;
  EXPECT_EQ(ParseTrackBatch("[" + good + "," + good + "]", BodyFormat::kJsonArray, limits).status().code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace segue
