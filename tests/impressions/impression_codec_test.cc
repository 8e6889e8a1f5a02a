#include <gtest/gtest.h>

#include "impressions/impression.h"

namespace segue::impressions {
namespace {

TEST(ImpressionCodecTest, JsonRoundTripsAndRejectsWhatIsNotAnImpression) {
  Impression m{.rec_id = "r", .user_id = "u", .ts_ms = 1'700'000'000'123, .source = "fallback:x",
                .track_ids = {"a", "b"}, .scores = {0.5f, 0.25f}, .model_versions = {{"ranker", "v2"}},
                .trigger_score = 0.75f, .event_ts_ms = 1'700'000'000'001};
  Result<Impression> back = ImpressionFromJson(ImpressionToJson(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->rec_id, m.rec_id);
  EXPECT_EQ(back->user_id, m.user_id);
  EXPECT_EQ(back->ts_ms, m.ts_ms);
  EXPECT_EQ(back->event_ts_ms, m.event_ts_ms);
  EXPECT_EQ(back->source, m.source);
  EXPECT_EQ(back->track_ids, m.track_ids);
  EXPECT_EQ(back->scores, m.scores);
  EXPECT_EQ(back->model_versions, m.model_versions);
  EXPECT_EQ(back->trigger_score, m.trigger_score);
  EXPECT_FALSE(ImpressionFromJson("{\"items\":3}").ok());
}

}  // namespace
}  // namespace segue::impressions
