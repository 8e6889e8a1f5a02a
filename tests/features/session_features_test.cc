#include "features/session_features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "catalog/catalog.h"

namespace segue {
namespace {

constexpr int64_t kStart = 1736157600000;  // 2025-01-06T10:00:00Z

Track MakeTrack(std::string id, std::string artist, std::string genre, uint32_t duration, std::string language) {
  Track t;
  t.track_id = std::move(id);
  t.artist = std::move(artist);
  t.genres = {std::move(genre)};
  t.duration_ms = duration;
  t.popularity = 50;
  t.language = std::move(language);
  return t;
}

std::string Id(int i) {
  std::string s = "t";
  s += std::to_string(i);
  return s;
}

void Fill(Catalog* c) {
  c->Upsert(MakeTrack("t1", "Artist A", "pop", 200000, "en"));
  Track t2 = MakeTrack("t2", "Artist A", "rock", 100000, "fr");
  t2.explicit_content = true;
  c->Upsert(t2);
}

// t1 completed, t2 skipped (liked), then an unknown track still playing.
SessionState MakeState(Catalog* c) {
  SessionState s;
  s.user_id = "u1";
  s.start_ms = kStart;
  s.play_state = PlayState::kPlaying;
  s.plays.push_back({c->InternTrack("t1"), 0, 200000, 0, 200000, PlayEnd::kCompleted, 0, 1, 0});
  s.plays.push_back({c->InternTrack("t2"), 200000, 20000, 0, 100000, PlayEnd::kSkipped, kPlayLiked, 0, 2});
  s.plays.push_back({c->InternTrack("unknown-x"), 3'600'000, 5000, 3'380'000, 0, PlayEnd::kOngoing, kPlayAfterSearch, 0, 0});
  s.current_started_ms = kStart + 3'610'000;
  s.last_event_ms = kStart + 3'612'000;
  s.counters.plays = 3;
  s.counters.skips = 1;
  s.counters.consecutive_skips = 1;
  s.counters.completes = 1;
  s.counters.searches = 1;
  s.profile.sessions = 4;
  s.profile.plays = 40;
  s.profile.skips = 10;
  s.profile.mean_session_plays = 10;
  return s;
}

TEST(SessionFeatures, PerStepInputs) {
  Catalog catalog;
  Fill(&catalog);
  const FeatureVector f = ComputeSessionFeatures(MakeState(&catalog), catalog);
  ASSERT_EQ(f.length, 3);
  const StepFeatures& a = f.steps[0];
  const StepFeatures& b = f.steps[1];
  const StepFeatures& x = f.steps[2];
  EXPECT_EQ(a.track, TrackBucket("t1"));
  EXPECT_EQ(a.artist, ArtistBucket("Artist A"));
  EXPECT_EQ(b.artist, a.artist);
  EXPECT_EQ(a.genre, GenreBucket("pop"));
  EXPECT_NE(a.genre, 0);
  EXPECT_EQ(a.end, static_cast<uint8_t>(PlayEnd::kCompleted));
  EXPECT_EQ(a.hour, 1 + 10);
  EXPECT_FLOAT_EQ(a.numeric[kStepDwellRatio], 1.0f);
  EXPECT_FLOAT_EQ(a.numeric[kStepPopularity], 0.5f);
  EXPECT_FLOAT_EQ(a.numeric[kStepLogPauses], std::log1p(1.0f));
  EXPECT_FLOAT_EQ(a.numeric[kStepSameArtist], 0.0f);  // no previous step

  EXPECT_FLOAT_EQ(b.numeric[kStepSkipped], 1.0f);
  EXPECT_FLOAT_EQ(b.numeric[kStepDwellRatio], 0.2f);
  EXPECT_FLOAT_EQ(b.numeric[kStepFeedback], 1.0f);
  EXPECT_FLOAT_EQ(b.numeric[kStepSameArtist], 1.0f);
  EXPECT_FLOAT_EQ(b.numeric[kStepLanguageChange], 1.0f);
  EXPECT_FLOAT_EQ(b.numeric[kStepExplicit], 1.0f);
  EXPECT_FLOAT_EQ(b.numeric[kStepLogSeeks], std::log1p(2.0f));

  // The unknown track: hashed id, everything else missing with its flags at 0.
  EXPECT_EQ(x.track, TrackBucket("unknown-x"));
  EXPECT_EQ(x.artist, 0);
  EXPECT_EQ(x.genre, 0);
  EXPECT_EQ(x.end, static_cast<uint8_t>(PlayEnd::kOngoing));
  EXPECT_EQ(x.hour, 1 + 11);
  EXPECT_FLOAT_EQ(x.numeric[kStepDurationKnown], 0.0f);
  EXPECT_FLOAT_EQ(x.numeric[kStepPopularity], 0.0f);
  EXPECT_FLOAT_EQ(x.numeric[kStepSameArtist], 0.0f);
  EXPECT_FLOAT_EQ(x.numeric[kStepLanguageChange], 0.0f);
  EXPECT_FLOAT_EQ(x.numeric[kStepAfterSearch], 1.0f);
  // Ongoing dwell counts up to the last event, not the wall clock: 5 s + 2 s.
  EXPECT_FLOAT_EQ(x.numeric[kStepLogDwellSec], std::log1p(7.0f));
  EXPECT_FLOAT_EQ(x.numeric[kStepLogGapSec], std::log1p(3380.0f));
  for (int i = 3; i < kSequenceLength; ++i) EXPECT_EQ(f.steps[i], StepFeatures{});
}

TEST(SessionFeatures, ContextInputs) {
  Catalog catalog;
  Fill(&catalog);
  const FeatureVector f = ComputeSessionFeatures(MakeState(&catalog), catalog);
  EXPECT_FLOAT_EQ(f.context[kCtxLogConsecutiveSkips], std::log1p(1.0f));
  EXPECT_FLOAT_EQ(f.context[kCtxSkipRate], 0.5f);  // 1 skip of 2 ended plays
  EXPECT_FLOAT_EQ(f.context[kCtxRecentSkipRate], 0.5f);
  EXPECT_FLOAT_EQ(f.context[kCtxProfileKnown], 1.0f);
  EXPECT_FLOAT_EQ(f.context[kCtxProfileSkipRate], 0.25f);
  EXPECT_FLOAT_EQ(f.context[kCtxSessionLengthRatio], 0.3f);
  EXPECT_FLOAT_EQ(f.context[kCtxCurrentKnown], 0.0f);  // the current track is unknown
  EXPECT_FLOAT_EQ(f.context[kCtxPlayOngoing], 1.0f);
  EXPECT_FLOAT_EQ(f.context[kCtxPaused], 0.0f);
  EXPECT_FLOAT_EQ(f.context[kCtxLogSessionMinutes], std::log1p(3612.0f / 60.0f));
}

// Spec v3: the session against the listener's own habits, and the kind of stream.
TEST(SessionFeatures, InputsRelativeToTheProfileAndTheStreamKind) {
  Catalog catalog;
  Fill(&catalog);
  SessionState s = MakeState(&catalog);
  s.profile.mean_session_minutes = 30;
  s.plays[0].flags |= kPlayContextReported;
  const FeatureVector f = ComputeSessionFeatures(s, catalog);
  EXPECT_FLOAT_EQ(f.context[kCtxSkipRateVsUsual], 0.25f);        // 0.5 now, 0.25 usually
  EXPECT_FLOAT_EQ(f.context[kCtxRecentSkipRateVsUsual], 0.25f);
  EXPECT_FLOAT_EQ(f.context[kCtxSessionMinutesRatio], 3612.0f / 60 / 30);  // 60.2 min against a usual 30
  EXPECT_FLOAT_EQ(f.context[kCtxContextReportedShare], 1.0f / 3);  // one of three plays said how it was played
  s.profile.mean_session_minutes = 10;
  EXPECT_FLOAT_EQ(ComputeSessionFeatures(s, catalog).context[kCtxSessionMinutesRatio], 4.0f) << "clipped at 4";
  // Without a profile the relative inputs are 0, not "everything above a 0 % usual skip rate".
  s.profile = UserProfile{};
  const FeatureVector none = ComputeSessionFeatures(s, catalog);
  EXPECT_FLOAT_EQ(none.context[kCtxSkipRateVsUsual], 0.f);
  EXPECT_FLOAT_EQ(none.context[kCtxRecentSkipRateVsUsual], 0.f);
  EXPECT_FLOAT_EQ(none.context[kCtxSessionMinutesRatio], 0.f);
}

TEST(SessionFeatures, IndependentOfInterningOrder) {
  // Two processes intern ids in different orders; the features must not change.
  Catalog first, second;
  Fill(&first);
  second.InternTrack("something-else");
  second.InternArtist("Another artist");
  Fill(&second);
  EXPECT_EQ(ComputeSessionFeatures(MakeState(&first), first), ComputeSessionFeatures(MakeState(&second), second));
}

TEST(SessionFeatures, KeepsTheLastSequenceLengthPlays) {
  Catalog catalog;
  SessionState s;
  s.start_ms = kStart;
  for (int i = 0; i < kSequenceLength + 8; ++i) {
    const uint32_t id = catalog.InternTrack(Id(i));
    s.plays.push_back({id, static_cast<uint32_t>(i) * 1000, 1000, 0, 0, i % 2 ? PlayEnd::kSkipped : PlayEnd::kCompleted, 0, 0, 0});
  }
  s.last_event_ms = kStart + (kSequenceLength + 8) * 1000;
  const FeatureVector f = ComputeSessionFeatures(s, catalog);
  EXPECT_EQ(f.length, kSequenceLength);
  EXPECT_EQ(f.steps[0].track, TrackBucket("t8"));
  EXPECT_EQ(f.steps[kSequenceLength - 1].track, TrackBucket(Id(kSequenceLength + 7)));
}

TEST(SessionFeatures, EmptySession) {
  Catalog catalog;
  SessionState s;
  s.start_ms = s.last_event_ms = kStart;
  const FeatureVector f = ComputeSessionFeatures(s, catalog);
  EXPECT_EQ(f.length, 0);
  const TabularRow row = TabularFeatures(f);
  for (float v : row) EXPECT_TRUE(std::isfinite(v));
  EXPECT_EQ(TrailingSkips(f), 0);
}

TEST(TabularFeatures, NamesAndAggregates) {
  std::set<std::string> names;
  for (int i = 0; i < kTabularFeatures; ++i) {
    EXPECT_FALSE(TabularFeatureName(i).empty()) << i;
    names.insert(std::string(TabularFeatureName(i)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kTabularFeatures));

  Catalog catalog;
  Fill(&catalog);
  SessionState s = MakeState(&catalog);
  const FeatureVector f = ComputeSessionFeatures(s, catalog);
  EXPECT_EQ(TrailingSkips(f), 1);  // the ongoing play is ignored, t2 was skipped, t1 completed
  const TabularRow row = TabularFeatures(f);
  auto column = [&](std::string_view name) {
    for (int i = 0; i < kTabularFeatures; ++i) {
      if (TabularFeatureName(i) == name) return row[i];
    }
    ADD_FAILURE() << name;
    return -1.f;
  };
  EXPECT_FLOAT_EQ(column("agg_trailing_skips"), 1.0f);
  EXPECT_FLOAT_EQ(column("agg_last_end_ongoing"), 1.0f);
  EXPECT_FLOAT_EQ(column("agg_skip_share_last3"), 1.0f / 3.0f);
  EXPECT_FLOAT_EQ(column("agg_mean_dwell_ratio_last5"), 0.6f);  // (1.0 + 0.2) / 2: the unknown one is left out
  EXPECT_FLOAT_EQ(column("ctx_skip_rate"), 0.5f);
}

}  // namespace
}  // namespace segue
