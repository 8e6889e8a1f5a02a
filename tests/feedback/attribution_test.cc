#include "feedback/attribution.h"

#include <gtest/gtest.h>

#include "feedback/state_codec.h"

namespace segue::feedback {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kS = 1000;
constexpr int64_t kMin = 60 * kS;

Event Ev(EventType type, int64_t ts, std::string track = "", std::string rec_id = "") {
  Event e;
  e.user_id = "u1";
  e.type = type;
  e.ts_ms = ts;
  e.track_id = std::move(track);
  e.context.rec_id = std::move(rec_id);
  return e;
}

PendingImpression Imp(std::string rec_id, std::vector<std::string> tracks, int64_t ts = kT0, bool pushed = true) {
  return PendingImpression{std::move(rec_id), pushed, ts, std::move(tracks), {}, false, false};
}

class AttributionTest : public ::testing::Test {
 protected:
  // Folds events with consecutive seqs starting after the last one folded.
  void Fold(std::initializer_list<Event> events) {
    for (const Event& e : events) ApplyEvent(options_, e, ++seq_, &state_, &out_);
  }
  AttributionOptions options_;
  ListenerFeedback state_;
  std::vector<Outcome> out_;
  uint64_t seq_ = 10;
};

TEST_F(AttributionTest, APlayCarryingTheRecIdListenedForThirtySecondsIsListened) {
  AddImpression(options_, Imp("r1", {"a", "b"}), &state_);
  Fold({Ev(EventType::kPlay, kT0 + kS, "b", "r1"), Ev(EventType::kSkip, kT0 + 41 * kS, "b")});
  ASSERT_EQ(out_.size(), 1u);
  const Outcome& o = out_[0];
  EXPECT_EQ(o.kind, OutcomeKind::kListened);
  EXPECT_EQ(o.rec_id, "r1");
  EXPECT_EQ(o.user_id, "u1");
  EXPECT_EQ(o.track_id, "b");
  EXPECT_TRUE(o.pushed);
  EXPECT_EQ(o.impression_ts_ms, kT0);
  EXPECT_EQ(o.ts_ms, kT0 + 41 * kS);
  EXPECT_EQ(o.listened_ms, 40 * kS);
  EXPECT_EQ(o.seq, 12u);
}

TEST_F(AttributionTest, CompletedSkippedAndTheThirtySecondBoundary) {
  AddImpression(options_, Imp("r1", {"a", "b", "c", "d"}), &state_);
  Fold({Ev(EventType::kPlay, kT0 + kS, "a", "r1"), Ev(EventType::kComplete, kT0 + 10 * kS, "a"),
        Ev(EventType::kPlay, kT0 + 11 * kS, "b", "r1"), Ev(EventType::kSkip, kT0 + 40 * kS, "b"),
        Ev(EventType::kPlay, kT0 + 41 * kS, "c", "r1"), Ev(EventType::kPlay, kT0 + 71 * kS, "x")});
  ASSERT_EQ(out_.size(), 3u);
  EXPECT_EQ(out_[0].kind, OutcomeKind::kCompleted);  // complete wins whatever the time
  EXPECT_EQ(out_[1].kind, OutcomeKind::kSkipped);    // 29 s
  EXPECT_EQ(out_[1].listened_ms, 29 * kS);
  EXPECT_EQ(out_[2].kind, OutcomeKind::kListened);   // exactly 30 s, ended by another play
  EXPECT_TRUE(state_.pending.size() == 1 && !state_.play);
}

TEST_F(AttributionTest, PausedTimeDoesNotCount) {
  AddImpression(options_, Imp("r1", {"a"}), &state_);
  Fold({Ev(EventType::kPlay, kT0 + kS, "a", "r1"), Ev(EventType::kPause, kT0 + 21 * kS),
        Ev(EventType::kPause, kT0 + 30 * kS), Ev(EventType::kResume, kT0 + 101 * kS),
        Ev(EventType::kResume, kT0 + 102 * kS), Ev(EventType::kSkip, kT0 + 110 * kS, "a")});
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].kind, OutcomeKind::kSkipped);
  EXPECT_EQ(out_[0].listened_ms, 29 * kS);
}

TEST_F(AttributionTest, AWindowPlayOfARecommendedTrackCountsOnlyWithinTheWindow) {
  AddImpression(options_, Imp("r1", {"a"}), &state_);
  AddImpression(options_, Imp("r2", {"b"}), &state_);
  Fold({Ev(EventType::kPlay, kT0 + 29 * kMin, "a"), Ev(EventType::kComplete, kT0 + 30 * kMin, "a"),
        Ev(EventType::kPlay, kT0 + 31 * kMin, "b"), Ev(EventType::kComplete, kT0 + 34 * kMin, "b")});
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(out_[0].kind, OutcomeKind::kCompleted);
  EXPECT_EQ(out_[0].rec_id, "r1");
  // r2's window closed at 30 min: its track played at 31 min is not attributed; r2 is ignored.
  EXPECT_EQ(out_[1].kind, OutcomeKind::kIgnored);
  EXPECT_EQ(out_[1].rec_id, "r2");
  EXPECT_EQ(out_[1].ts_ms, kT0 + 30 * kMin);
  EXPECT_EQ(out_[1].seq, 0u);
  EXPECT_TRUE(state_.empty());
}

TEST_F(AttributionTest, TheRecIdNamesTheImpressionWhereTheWindowRuleTakesTheNewest) {
  AddImpression(options_, Imp("old", {"a", "b"}, kT0), &state_);
  AddImpression(options_, Imp("new", {"a", "b"}, kT0 + kS), &state_);
  Fold({Ev(EventType::kPlay, kT0 + 2 * kS, "a", "old"), Ev(EventType::kPlay, kT0 + 3 * kS, "b"),
        Ev(EventType::kPlay, kT0 + 4 * kS, "x")});
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(out_[0].rec_id, "old");
  EXPECT_EQ(out_[0].track_id, "a");
  EXPECT_EQ(out_[1].rec_id, "new");
  EXPECT_EQ(out_[1].track_id, "b");
}

TEST_F(AttributionTest, OneOutcomePerImpressionAndTrack) {
  AddImpression(options_, Imp("r1", {"a"}), &state_);
  Fold({Ev(EventType::kPlay, kT0 + kS, "a", "r1"), Ev(EventType::kSkip, kT0 + 2 * kS, "a"),
        Ev(EventType::kPlay, kT0 + 3 * kS, "a", "r1"), Ev(EventType::kComplete, kT0 + 300 * kS, "a")});
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].kind, OutcomeKind::kSkipped);
}

TEST_F(AttributionTest, SearchAndExitBeforeAnyRecommendedPlayThenTheImpressionIsNotIgnored) {
  AddImpression(options_, Imp("r1", {"a"}), &state_);
  AddImpression(options_, Imp("r2", {"b"}), &state_);
  Fold({Ev(EventType::kPlay, kT0 + kS, "b"), Ev(EventType::kSearch, kT0 + 2 * kS),
        Ev(EventType::kSearch, kT0 + 3 * kS), Ev(EventType::kExit, kT0 + 4 * kS)});
  ASSERT_EQ(out_.size(), 3u);
  EXPECT_EQ(out_[0].kind, OutcomeKind::kSearch);  // r1 only: r2's track was played
  EXPECT_EQ(out_[0].rec_id, "r1");
  EXPECT_EQ(out_[0].track_id, "");
  EXPECT_EQ(out_[1].kind, OutcomeKind::kSkipped);  // r2's play, ended by the exit after 3 s
  EXPECT_EQ(out_[1].rec_id, "r2");
  EXPECT_EQ(out_[2].kind, OutcomeKind::kExit);
  EXPECT_EQ(out_[2].rec_id, "r1");
  out_.clear();
  EXPECT_TRUE(Expire(options_, "u1", kT0 + 31 * kMin, &state_, &out_));
  EXPECT_TRUE(out_.empty());
  EXPECT_TRUE(state_.empty());
}

TEST_F(AttributionTest, TheWatermarkIgnoresAnImpressionNobodyActedOn) {
  AddImpression(options_, Imp("r1", {"a"}), &state_);
  EXPECT_FALSE(Expire(options_, "u1", kT0 + 30 * kMin, &state_, &out_));  // the window's last instant
  EXPECT_TRUE(Expire(options_, "u1", kT0 + 30 * kMin + 1, &state_, &out_));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].kind, OutcomeKind::kIgnored);
  EXPECT_EQ(out_[0].user_id, "u1");
}

TEST_F(AttributionTest, OnlyEventsAfterTheImpressionCountUnlessTheyNameIt) {
  AddImpression(options_, Imp("r1", {"a"}, kT0 + 2 * kS), &state_);
  Fold({Ev(EventType::kSearch, kT0 + kS), Ev(EventType::kPlay, kT0 + 2 * kS, "a")});
  EXPECT_TRUE(out_.empty());
  EXPECT_FALSE(state_.play);
  Fold({Ev(EventType::kPlay, kT0 + 2 * kS, "a", "r1")});
  EXPECT_TRUE(state_.play);
}

TEST_F(AttributionTest, ASilentListenersPlayEndsWithTheSessionTimeout) {
  AddImpression(options_, Imp("r1", {"a", "b"}), &state_);
  Fold({Ev(EventType::kPlay, kT0 + kS, "a", "r1"), Ev(EventType::kSeek, kT0 + 50 * kS)});
  // The next event comes after the timeout: the play ended at the listener's last event (49 s played).
  Fold({Ev(EventType::kPlay, kT0 + 50 * kS + 31 * kMin, "z")});
  ASSERT_GE(out_.size(), 1u);
  EXPECT_EQ(out_[0].kind, OutcomeKind::kListened);
  EXPECT_EQ(out_[0].listened_ms, 49 * kS);
  EXPECT_EQ(out_[0].ts_ms, kT0 + 50 * kS);
  // Without a next event, the watermark does the same.
  ListenerFeedback other;
  AddImpression(options_, Imp("r2", {"a"}, kT0 + kS), &other);
  std::vector<Outcome> out;
  ApplyEvent(options_, Ev(EventType::kPlay, kT0 + kS, "a", "r2"), 100, &other, &out);
  EXPECT_FALSE(Expire(options_, "u1", kT0 + kS + 30 * kMin, &other, &out));
  EXPECT_TRUE(Expire(options_, "u1", kT0 + kS + 30 * kMin + 1, &other, &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kSkipped);  // played 0 s before it fell silent
}

TEST_F(AttributionTest, ASkipNamingAnotherRecommendedTrackIsAnInstantPlay) {
  AddImpression(options_, Imp("r1", {"a", "b"}), &state_);
  Event skip = Ev(EventType::kSkip, kT0 + 60 * kS, "b");
  skip.position_ms = 45 * kS;
  Fold({Ev(EventType::kPlay, kT0 + kS, "a", "r1"), skip});
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(out_[0].track_id, "a");
  EXPECT_EQ(out_[0].kind, OutcomeKind::kListened);  // replaced after 59 s
  EXPECT_EQ(out_[1].track_id, "b");
  EXPECT_EQ(out_[1].kind, OutcomeKind::kListened);  // got to 45 s
  EXPECT_EQ(out_[1].listened_ms, 45 * kS);
}

TEST_F(AttributionTest, AFoldedEventIsNotFoldedAgain) {
  AddImpression(options_, Imp("r1", {"a"}), &state_);
  EXPECT_TRUE(ApplyEvent(options_, Ev(EventType::kSearch, kT0 + kS), 20, &state_, &out_));
  EXPECT_EQ(state_.seq, 20u);
  const ListenerFeedback before = state_;
  EXPECT_FALSE(ApplyEvent(options_, Ev(EventType::kPlay, kT0 + kS, "a"), 20, &state_, &out_));
  EXPECT_FALSE(ApplyEvent(options_, Ev(EventType::kPlay, kT0 + kS, "a"), 19, &state_, &out_));
  EXPECT_EQ(state_, before);
  EXPECT_EQ(out_.size(), 1u);
}

TEST_F(AttributionTest, TheListenersOldestImpressionIsDroppedAtTheCap) {
  options_.max_pending_per_listener = 2;
  EXPECT_EQ(AddImpression(options_, Imp("r1", {"a"}), &state_), 0u);
  EXPECT_EQ(AddImpression(options_, Imp("r2", {"a"}), &state_), 0u);
  EXPECT_EQ(AddImpression(options_, Imp("r2", {"a"}), &state_), 0u);  // the same impression again
  EXPECT_EQ(AddImpression(options_, Imp("r3", {"a"}), &state_), 1u);
  ASSERT_EQ(state_.pending.size(), 2u);
  EXPECT_EQ(state_.pending[0].rec_id, "r2");
  EXPECT_EQ(state_.pending[1].rec_id, "r3");
}

TEST_F(AttributionTest, TheStateSurvivesItsEncoding) {
  AddImpression(options_, Imp("r1", {"a", "b"}), &state_);
  AddImpression(options_, Imp("r2", {"c"}, kT0 + 5, false), &state_);
  Fold({Ev(EventType::kSearch, kT0 + kS), Ev(EventType::kPlay, kT0 + 2 * kS, "a"),
        Ev(EventType::kPause, kT0 + 3 * kS)});
  ASSERT_TRUE(state_.play);
  Result<ListenerFeedback> decoded = DecodeListenerFeedback(EncodeListenerFeedback(state_));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, state_);
  EXPECT_FALSE(DecodeListenerFeedback("{\"seq\":1,\"pending\":[{\"rec_id\":3}]}").ok());
  EXPECT_FALSE(DecodeListenerFeedback("[]").ok());
}

}  // namespace
}  // namespace segue::feedback
