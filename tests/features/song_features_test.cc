// Song-tower inputs (song_features.h) and the day-of-week bucket of the user tower.
#include "features/song_features.h"

#include <cmath>

#include <gtest/gtest.h>

#include "features/session_features.h"

namespace segue {
namespace {

constexpr int64_t k2024 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z, a Monday

TEST(SongFeaturesTest, EncodesEveryField) {
  Track t;
  t.track_id = "abc";
  t.artist = "Artist";
  t.genres = {"unheard-of", "indie rock"};
  t.language = "en";
  t.duration_ms = 240'000;
  t.release_date = "2014-01";
  t.popularity = 55;
  t.explicit_content = true;
  t.audio_features = {0.5f, 0.6f, 7, -5, 1, 0.1f, 0.2f, 0.f, 0.3f, 0.4f, 120};
  const SongFeatures f = ComputeSongFeatures(t, k2024);
  EXPECT_EQ(f.track, TrackBucket("abc"));
  EXPECT_EQ(f.artist, ArtistBucket("Artist"));
  EXPECT_EQ(f.genre, GenreBucket("indie rock")) << "the first genre that maps to a bucket";
  EXPECT_EQ(f.language, LanguageBucket("en"));
  EXPECT_NE(f.language, 0);
  EXPECT_EQ(f.audio[10], 120.f);
  EXPECT_EQ(f.numeric[kSongAudioKnown], 1.f);
  EXPECT_FLOAT_EQ(f.numeric[kSongPopularity], 0.55f);
  EXPECT_NEAR(f.numeric[kSongLogAgeYears], std::log1p(10.0), 0.01);
  EXPECT_EQ(f.numeric[kSongReleaseKnown], 1.f);
  EXPECT_FLOAT_EQ(f.numeric[kSongLogDurationMin], static_cast<float>(std::log1p(4.0)));
  EXPECT_EQ(f.numeric[kSongDurationKnown], 1.f);
  EXPECT_EQ(f.numeric[kSongExplicit], 1.f);
}

TEST(SongFeaturesTest, ABareIdStillGetsItsBucketAndUnknownFlags) {
  Track t;
  t.track_id = "only-an-id";
  t.audio_features = {1, 2, 3};  // not Spotify's 11-value layout: unknown
  t.release_date = "2030";        // after the reference time: age 0, still known
  const SongFeatures f = ComputeSongFeatures(t, k2024);
  EXPECT_NE(f.track, 0);
  EXPECT_EQ(f.artist, 0);
  EXPECT_EQ(f.genre, 0);
  EXPECT_EQ(f.language, 0);
  EXPECT_EQ(f.numeric[kSongAudioKnown], 0.f);
  EXPECT_EQ(f.audio[0], 0.f);
  EXPECT_EQ(f.numeric[kSongLogAgeYears], 0.f);
  EXPECT_EQ(f.numeric[kSongReleaseKnown], 1.f);
  EXPECT_EQ(f.numeric[kSongDurationKnown], 0.f);
  t.release_date = "20x4";
  EXPECT_EQ(ComputeSongFeatures(t, k2024).numeric[kSongReleaseKnown], 0.f);
}

TEST(SongFeaturesTest, DayOfWeekBucket) {
  EXPECT_EQ(DayOfWeekBucket(k2024), 1) << "Monday";
  EXPECT_EQ(DayOfWeekBucket(k2024 + 6 * 86'400'000LL + 86'399'999), 7) << "Sunday, last millisecond";
  EXPECT_EQ(DayOfWeekBucket(k2024 + 7 * 86'400'000LL), 1);
  EXPECT_EQ(DayOfWeekBucket(0), 0) << "unknown";
}

}  // namespace
}  // namespace segue
