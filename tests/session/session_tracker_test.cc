#include "session/session_tracker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "session/session_test_util.h"

namespace segue {
namespace {

using testing::Ev;
using testing::Name;
using testing::kMin;
using testing::kSec;
using testing::kT0;

Track MakeTrack(std::string id, std::string artist, std::string genre, uint32_t duration_ms) {
  Track t;
  t.track_id = std::move(id);
  t.title = "t";
  t.artist = std::move(artist);
  t.genres = {std::move(genre)};
  t.duration_ms = duration_ms;
  return t;
}

class TrackerTest : public ::testing::Test {
 protected:
  SessionState State(const std::string& user = "u1") const {
    auto s = tracker_->Get(user);
    EXPECT_TRUE(s.has_value()) << user;
    return s.value_or(SessionState{});
  }
  uint32_t Id(std::string_view track) { return catalog_.InternTrack(track); }
  void Reset(SessionTrackerOptions options) { tracker_ = std::make_unique<SessionTracker>(&catalog_, options); }

  Catalog catalog_;
  std::unique_ptr<SessionTracker> tracker_ = std::make_unique<SessionTracker>(&catalog_);
};

TEST_F(TrackerTest, PlaySkipPlayComplete) {
  catalog_.Upsert(MakeTrack("B", "artist-b", "pop", 200'000));
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kPlay, 0, "A", 0));
  EXPECT_TRUE(o.applied && o.new_session);
  EXPECT_FALSE(o.play_ended);

  o = tracker_->Apply(Ev(EventType::kSkip, 5 * kSec, "A", 5000));
  EXPECT_TRUE(o.play_ended);
  EXPECT_EQ(o.how, PlayEnd::kSkipped);
  EXPECT_EQ(o.ended_track, Id("A"));
  SessionState s = State();
  EXPECT_EQ(s.counters.skips, 1u);
  EXPECT_EQ(s.counters.consecutive_skips, 1u);
  EXPECT_EQ(s.play_state, PlayState::kIdle);
  EXPECT_EQ(s.current(), nullptr);

  EXPECT_FALSE(tracker_->Apply(Ev(EventType::kPlay, 6 * kSec, "B", 0)).play_ended);
  o = tracker_->Apply(Ev(EventType::kComplete, 186 * kSec, "B", 180000));
  EXPECT_EQ(o.how, PlayEnd::kCompleted);

  s = State();
  ASSERT_EQ(s.plays.size(), 2u);
  EXPECT_EQ(s.plays[0].track, Id("A"));
  EXPECT_EQ(s.plays[0].dwell_ms, 5000u);
  EXPECT_EQ(s.plays[0].end, PlayEnd::kSkipped);
  EXPECT_TRUE(s.plays[0].skipped());
  EXPECT_EQ(s.plays[0].gap_ms, 0u);
  EXPECT_EQ(s.plays[0].duration_ms, 0u);  // not in the catalog
  EXPECT_EQ(s.plays[1].start_offset_ms, 6000u);
  EXPECT_EQ(s.plays[1].gap_ms, 1000u);
  EXPECT_EQ(s.plays[1].dwell_ms, 180000u);
  EXPECT_EQ(s.plays[1].duration_ms, 200'000u);
  EXPECT_EQ(s.plays[1].end, PlayEnd::kCompleted);
  EXPECT_EQ(s.counters.plays, 2u);
  EXPECT_EQ(s.counters.completes, 1u);
  EXPECT_EQ(s.counters.consecutive_skips, 0u);
  EXPECT_EQ(s.session_number, 1u);
  EXPECT_EQ(s.start_ms, kT0);
  EXPECT_EQ(s.last_event_ms, kT0 + 186 * kSec);
  EXPECT_EQ(s.position_ms, 180000u);
}

TEST_F(TrackerTest, ConsecutiveSkipsCountUntilComplete) {
  for (int i = 0; i < 3; ++i) {
    tracker_->Apply(Ev(EventType::kPlay, i * 10 * kSec, Name("T", i)));
    tracker_->Apply(Ev(EventType::kSkip, i * 10 * kSec + 2 * kSec, Name("T", i)));
  }
  EXPECT_EQ(State().counters.consecutive_skips, 3u);
  tracker_->Apply(Ev(EventType::kPlay, 40 * kSec, "X"));
  EXPECT_EQ(State().counters.consecutive_skips, 3u);  // a started play does not reset it; a complete does
  tracker_->Apply(Ev(EventType::kComplete, 50 * kSec, "X"));
  EXPECT_EQ(State().counters.consecutive_skips, 0u);
  EXPECT_EQ(State().counters.skips, 3u);
}

TEST_F(TrackerTest, PauseResumeExcludesPausedTimeFromDwell) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  tracker_->Apply(Ev(EventType::kPause, 10 * kSec, "", 10000));
  EXPECT_EQ(State().play_state, PlayState::kPaused);
  tracker_->Apply(Ev(EventType::kPause, 12 * kSec));  // a second pause while paused adds no dwell
  tracker_->Apply(Ev(EventType::kResume, 40 * kSec));
  EXPECT_EQ(State().play_state, PlayState::kPlaying);
  tracker_->Apply(Ev(EventType::kResume, 41 * kSec));  // resume while playing changes nothing
  tracker_->Apply(Ev(EventType::kComplete, 70 * kSec, "A"));
  SessionState s = State();
  ASSERT_EQ(s.plays.size(), 1u);
  EXPECT_EQ(s.plays[0].dwell_ms, 40000u);
  EXPECT_EQ(s.plays[0].pauses, 2);
  EXPECT_EQ(s.counters.pauses, 2u);
}

TEST_F(TrackerTest, SkipWhilePausedCountsOnlyPlayedTime) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  tracker_->Apply(Ev(EventType::kPause, 15 * kSec));
  tracker_->Apply(Ev(EventType::kSkip, 100 * kSec, "A"));
  EXPECT_EQ(State().plays[0].dwell_ms, 15000u);
}

TEST_F(TrackerTest, SeekCountsAndMovesPosition) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A", 0));
  tracker_->Apply(Ev(EventType::kSeek, 5 * kSec, "A", 90000));
  tracker_->Apply(Ev(EventType::kSeek, 6 * kSec, "Z", 1000));  // another track: counted, not on the play
  SessionState s = State();
  EXPECT_EQ(s.counters.seeks, 2u);
  EXPECT_EQ(s.plays[0].seeks, 1);
  EXPECT_EQ(s.position_ms, 1000u);
  EXPECT_EQ(s.play_state, PlayState::kPlaying);
}

TEST_F(TrackerTest, PlayReplacesOngoingPlay) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kPlay, 30 * kSec, "B"));
  EXPECT_TRUE(o.play_ended);
  EXPECT_EQ(o.how, PlayEnd::kReplaced);
  EXPECT_EQ(o.ended_track, Id("A"));
  SessionState s = State();
  ASSERT_EQ(s.plays.size(), 2u);
  EXPECT_EQ(s.plays[0].end, PlayEnd::kReplaced);
  EXPECT_EQ(s.plays[0].dwell_ms, 30000u);
  EXPECT_EQ(s.plays[1].gap_ms, 0u);
  EXPECT_EQ(s.current()->track, Id("B"));
  EXPECT_EQ(s.counters.skips, 0u);
}

TEST_F(TrackerTest, EndOfAnotherTrackRecordsItAndReplacesCurrent) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kSkip, 60 * kSec, "B", 20000));
  EXPECT_EQ(o.how, PlayEnd::kSkipped);
  EXPECT_EQ(o.ended_track, Id("B"));
  SessionState s = State();
  ASSERT_EQ(s.plays.size(), 2u);
  EXPECT_EQ(s.plays[0].end, PlayEnd::kReplaced);
  EXPECT_EQ(s.plays[0].dwell_ms, 60000u);
  EXPECT_EQ(s.plays[1].track, Id("B"));
  EXPECT_EQ(s.plays[1].end, PlayEnd::kSkipped);
  EXPECT_EQ(s.plays[1].dwell_ms, 20000u);  // the position it reached
  EXPECT_EQ(s.counters.plays, 2u);
  EXPECT_EQ(s.counters.skips, 1u);
}

TEST_F(TrackerTest, RepeatedEndOfTheSamePlayIsIgnored) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  tracker_->Apply(Ev(EventType::kComplete, 100 * kSec, "A"));
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kSkip, 101 * kSec, "A"));
  EXPECT_TRUE(o.applied);
  EXPECT_FALSE(o.play_ended);
  SessionState s = State();
  ASSERT_EQ(s.plays.size(), 1u);
  EXPECT_EQ(s.plays[0].end, PlayEnd::kCompleted);
  EXPECT_EQ(s.counters.skips, 0u);
  EXPECT_EQ(s.counters.plays, 1u);
}

TEST_F(TrackerTest, UnknownListener) {
  EXPECT_FALSE(tracker_->Visit("nobody", [](const SessionState&) { ADD_FAILURE(); }));
  EXPECT_FALSE(tracker_->Get("nobody").has_value());
  EXPECT_FALSE(tracker_->GetProfile("nobody").has_value());
  EXPECT_EQ(tracker_->active_sessions(), 0u);
  EXPECT_EQ(tracker_->watermark_ms(), 0);
}

TEST_F(TrackerTest, PlayFlagsFromContextAndSearch) {
  Event rec = Ev(EventType::kPlay, 0, "A");
  rec.context.rec_id = "r-1";
  rec.context.shuffle = true;
  tracker_->Apply(rec);
  tracker_->Apply(Ev(EventType::kSearch, 10 * kSec));
  tracker_->Apply(Ev(EventType::kSearch, 11 * kSec));
  tracker_->Apply(Ev(EventType::kPlay, 20 * kSec, "B"));
  tracker_->Apply(Ev(EventType::kPlay, 30 * kSec, "C"));
  Event device_only = Ev(EventType::kPlay, 40 * kSec, "D");
  device_only.context.device = "web";
  tracker_->Apply(device_only);
  SessionState s = State();
  ASSERT_EQ(s.plays.size(), 4u);
  EXPECT_EQ(s.plays[0].flags, kPlayFromRecommendation | kPlayShuffle | kPlayContextReported);
  EXPECT_EQ(s.plays[1].flags, kPlayAfterSearch);
  EXPECT_EQ(s.plays[2].flags, 0) << "no context: a basic export's play";
  EXPECT_EQ(s.plays[3].flags, kPlayContextReported);
  EXPECT_EQ(s.counters.searches, 2u);
}

TEST_F(TrackerTest, LikesAndDislikesFlagTheMatchingPlay) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  tracker_->Apply(Ev(EventType::kPlay, 10 * kSec, "B"));
  tracker_->Apply(Ev(EventType::kLike, 11 * kSec, "B"));
  tracker_->Apply(Ev(EventType::kLike, 12 * kSec, "A"));
  tracker_->Apply(Ev(EventType::kDislike, 13 * kSec, "A"));
  tracker_->Apply(Ev(EventType::kLike, 14 * kSec, "never-played"));
  SessionState s = State();
  EXPECT_EQ(s.plays[1].flags, kPlayLiked);
  EXPECT_EQ(s.plays[0].flags, kPlayDisliked);  // the later dislike replaces the like
  EXPECT_EQ(s.counters.likes, 3u);
  EXPECT_EQ(s.counters.dislikes, 1u);
  EXPECT_EQ(s.current()->track, Id("B"));  // likes do not end plays
}

TEST_F(TrackerTest, ExitEndsSessionAndNextEventStartsAnother) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kExit, 50 * kSec));
  EXPECT_TRUE(o.session_ended);
  EXPECT_TRUE(o.play_ended);
  EXPECT_EQ(o.how, PlayEnd::kExited);
  SessionState s = State();
  EXPECT_TRUE(s.ended);
  EXPECT_EQ(s.plays[0].end, PlayEnd::kExited);
  EXPECT_EQ(s.plays[0].dwell_ms, 50000u);
  EXPECT_EQ(s.profile.sessions, 1u);
  EXPECT_EQ(s.profile.plays, 1u);

  o = tracker_->Apply(Ev(EventType::kPlay, 2 * kMin, "B"));
  EXPECT_TRUE(o.new_session);
  EXPECT_FALSE(o.session_ended);
  s = State();
  EXPECT_FALSE(s.ended);
  EXPECT_EQ(s.session_number, 2u);
  EXPECT_EQ(s.start_ms, kT0 + 2 * kMin);
  ASSERT_EQ(s.plays.size(), 1u);
  EXPECT_EQ(s.plays[0].gap_ms, 0u);
  EXPECT_EQ(s.counters.plays, 1u);
}

TEST_F(TrackerTest, EventOlderThanTheExitIsLate) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  tracker_->Apply(Ev(EventType::kExit, 50 * kSec));
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kPause, 49 * kSec));
  EXPECT_TRUE(o.late);
  EXPECT_TRUE(State().ended);
  EXPECT_EQ(State().counters.late_events, 1u);
}

TEST_F(TrackerTest, InactivityTimeoutStartsNewSession) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  tracker_->Apply(Ev(EventType::kPause, 100 * kSec));
  tracker_->Apply(Ev(EventType::kSearch, 30 * kMin + 100 * kSec));  // exactly the timeout: same session
  EXPECT_EQ(State().session_number, 1u);
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kPlay, 61 * kMin + 101 * kSec, "B"));
  EXPECT_TRUE(o.session_ended);
  EXPECT_TRUE(o.new_session);
  EXPECT_FALSE(o.play_ended);  // the timed-out play belonged to the previous session
  SessionState s = State();
  EXPECT_EQ(s.session_number, 2u);
  ASSERT_EQ(s.plays.size(), 1u);
  EXPECT_EQ(s.counters.searches, 0u);
  EXPECT_EQ(s.profile.sessions, 1u);
  EXPECT_EQ(s.profile.plays, 1u);
  EXPECT_NEAR(s.profile.mean_session_minutes, (30 * kMin + 100 * kSec) / 60000.0, 1e-3);
  EXPECT_FALSE(s.plays[0].flags & kPlayAfterSearch);  // the search was in the previous session
}

TEST_F(TrackerTest, TimeoutIsConfigurable) {
  SessionTrackerOptions options;
  options.session_timeout_ms = 5 * kMin;
  Reset(options);
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  EXPECT_TRUE(tracker_->Apply(Ev(EventType::kPlay, 6 * kMin, "B")).new_session);
  EXPECT_EQ(State().session_number, 2u);
}

// The timed-out play's dwell is not observable once its session is folded into the profile, so this
// checks what is: the session ends at its last event (40 s long) and its open play counts as a play,
// not a skip.
TEST_F(TrackerTest, TimedOutSessionEndsAtItsLastEventWithoutASkip) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
  tracker_->Apply(Ev(EventType::kSeek, 40 * kSec, "A", 1000));
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kPlay, 2 * 60 * kMin, "B"));
  EXPECT_TRUE(o.session_ended);
  EXPECT_TRUE(o.new_session);
  EXPECT_FALSE(o.play_was_ongoing) << "the timed-out play belongs to the previous session";
  auto p = tracker_->GetProfile("u1");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->sessions, 1u);
  EXPECT_EQ(p->plays, 1u);
  EXPECT_EQ(p->skips, 0u);
  EXPECT_FLOAT_EQ(p->mean_session_minutes, 40.f / 60.f);
  EXPECT_EQ(p->last_session_end_ms, kT0 + 40 * kSec);
}

TEST_F(TrackerTest, LateEventsWithinToleranceApplyWithClampedDwell) {
  tracker_->Apply(Ev(EventType::kPlay, 100 * kSec, "A"));
  // 5 s older than the play: applied, but dwell never goes negative.
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kSkip, 95 * kSec, "A"));
  EXPECT_TRUE(o.applied);
  EXPECT_FALSE(o.late);
  EXPECT_EQ(o.how, PlayEnd::kSkipped);
  SessionState s = State();
  EXPECT_EQ(s.plays[0].dwell_ms, 0u);
  EXPECT_EQ(s.last_event_ms, kT0 + 100 * kSec);  // never moves backwards
  tracker_->Apply(Ev(EventType::kPlay, 101 * kSec, "B"));
  EXPECT_EQ(State().plays[1].gap_ms, 1000u);
}

TEST_F(TrackerTest, EventsOlderThanToleranceOnlyCount) {
  tracker_->Apply(Ev(EventType::kPlay, 100 * kSec, "A"));
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kSkip, 89 * kSec, "A"));
  EXPECT_FALSE(o.applied);
  EXPECT_TRUE(o.late);
  SessionState s = State();
  EXPECT_EQ(s.counters.late_events, 1u);
  EXPECT_EQ(s.counters.skips, 0u);
  EXPECT_EQ(s.current()->track, Id("A"));
  EXPECT_EQ(tracker_->stats().late_events, 1u);
}

TEST_F(TrackerTest, RingKeepsLastNPlays) {
  SessionTrackerOptions options;
  options.max_plays = 4;
  Reset(options);
  for (int i = 0; i < 6; ++i) tracker_->Apply(Ev(EventType::kPlay, i * 10 * kSec, Name("T", i)));
  SessionState s = State();
  ASSERT_EQ(s.plays.size(), 4u);
  EXPECT_EQ(s.plays.front().track, Id("T2"));
  EXPECT_EQ(s.plays.back().track, Id("T5"));
  EXPECT_EQ(s.plays.back().end, PlayEnd::kOngoing);
  EXPECT_EQ(s.plays[2].end, PlayEnd::kReplaced);
  EXPECT_EQ(s.counters.plays, 6u);
  EXPECT_LE(s.plays.capacity(), 4u);
}

TEST_F(TrackerTest, DuplicateSeqIsIgnored) {
  EXPECT_TRUE(tracker_->Apply(Ev(EventType::kPlay, 0, "A"), 5).applied);
  ApplyOutcome o = tracker_->Apply(Ev(EventType::kSkip, kSec, "A"), 5);
  EXPECT_TRUE(o.duplicate);
  EXPECT_FALSE(o.applied);
  EXPECT_EQ(State().counters.skips, 0u);
  EXPECT_TRUE(tracker_->Apply(Ev(EventType::kSkip, kSec, "A"), 6).applied);
  EXPECT_EQ(State().last_seq, 6u);
}

TEST_F(TrackerTest, ProfileTracksSkipRateArtistsAndGenres) {
  catalog_.Upsert(MakeTrack("p1", "Alpha", "pop", 180'000));
  catalog_.Upsert(MakeTrack("p2", "Alpha", "pop", 180'000));
  catalog_.Upsert(MakeTrack("r1", "Beta", "rock", 180'000));
  const uint32_t alpha = catalog_.Meta(Id("p1")).artist;
  const uint32_t beta = catalog_.Meta(Id("r1")).artist;
  const uint16_t pop = GenreBucket("pop");
  tracker_->Apply(Ev(EventType::kPlay, 0, "p1"));
  tracker_->Apply(Ev(EventType::kComplete, 3 * kMin, "p1"));
  tracker_->Apply(Ev(EventType::kPlay, 3 * kMin, "r1"));
  tracker_->Apply(Ev(EventType::kSkip, 3 * kMin + 5 * kSec, "r1"));
  tracker_->Apply(Ev(EventType::kPlay, 4 * kMin, "p2"));
  tracker_->Apply(Ev(EventType::kExit, 6 * kMin));
  UserProfile p = State().profile;
  EXPECT_EQ(p.sessions, 1u);
  EXPECT_EQ(p.plays, 3u);
  EXPECT_EQ(p.skips, 1u);
  EXPECT_NEAR(p.skip_rate(), 1.f / 3, 1e-6);
  EXPECT_FLOAT_EQ(p.mean_session_plays, 3.f);
  EXPECT_FLOAT_EQ(p.mean_session_minutes, 6.f);
  EXPECT_EQ(p.top_artists[0], alpha);
  EXPECT_EQ(p.top_artist_plays[0], 2u);
  EXPECT_EQ(p.top_artists[1], beta);
  EXPECT_EQ(p.top_artists[2], 0u);
  EXPECT_NEAR(p.genre_share[pop], 2.f / 3, 1e-6);
  EXPECT_EQ(p.last_session_end_ms, kT0 + 6 * kMin);

  // A second session of one unknown track: running means, genre share weighted by plays.
  tracker_->Apply(Ev(EventType::kPlay, 60 * kMin, "unknown"));
  tracker_->Apply(Ev(EventType::kExit, 62 * kMin));
  p = State().profile;
  EXPECT_EQ(p.sessions, 2u);
  EXPECT_FLOAT_EQ(p.mean_session_plays, 2.f);
  EXPECT_FLOAT_EQ(p.mean_session_minutes, 4.f);
  EXPECT_NEAR(p.genre_share[pop], 2.f / 4, 1e-6);
  EXPECT_NEAR(p.genre_share[0], 1.f / 4, 1e-6);
}

TEST_F(TrackerTest, EvictIdleEndsSessionsAndKeepsProfiles) {
  tracker_->Apply(Ev(EventType::kPlay, 0, "A", -1, "idle"));
  tracker_->Apply(Ev(EventType::kPlay, 40 * kMin, "A", -1, "busy"));
  tracker_->Apply(Ev(EventType::kPlay, 0, "A", -1, "gone"));
  tracker_->Apply(Ev(EventType::kExit, kSec, "", -1, "gone"));
  EXPECT_EQ(tracker_->active_sessions(), 3u);
  EXPECT_EQ(tracker_->watermark_ms(), kT0 + 40 * kMin);
  // Not yet: timeout + tolerance has not passed for "idle".
  EXPECT_EQ(tracker_->EvictIdle(kT0 + 30 * kMin + 5 * kSec), 1u);  // "gone" exited long ago
  EXPECT_EQ(tracker_->EvictIdle(tracker_->watermark_ms()), 1u);
  EXPECT_EQ(tracker_->active_sessions(), 1u);
  EXPECT_EQ(tracker_->profiles(), 2u);
  EXPECT_FALSE(tracker_->Get("idle").has_value());
  EXPECT_FALSE(tracker_->Visit("idle", [](const SessionState&) {}));
  auto p = tracker_->GetProfile("idle");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->sessions, 1u);
  EXPECT_EQ(p->plays, 1u);
  EXPECT_EQ(tracker_->stats().evicted_idle, 2u);

  ApplyOutcome o = tracker_->Apply(Ev(EventType::kPlay, 50 * kMin, "B", -1, "idle"));
  EXPECT_TRUE(o.new_session);
  EXPECT_FALSE(o.session_ended);  // it was already ended by the eviction
  EXPECT_EQ(State("idle").session_number, 2u);
  EXPECT_EQ(tracker_->profiles(), 1u);
  EXPECT_EQ(tracker_->active_sessions(), 2u);
}

TEST_F(TrackerTest, EvictionIsIndistinguishableFromTimeout) {
  auto run = [&](bool evict) {
    Reset({});
    tracker_->Apply(Ev(EventType::kPlay, 0, "A"));
    tracker_->Apply(Ev(EventType::kSkip, 10 * kSec, "A"));
    tracker_->Apply(Ev(EventType::kPlay, 11 * kSec, "B"));
    if (evict) tracker_->EvictIdle(kT0 + 2 * 60 * kMin);
    tracker_->Apply(Ev(EventType::kPlay, 3 * 60 * kMin, "C"));
    return State();
  };
  SessionState evicted = run(true);
  SessionState timed_out = run(false);
  EXPECT_EQ(evicted, timed_out);
}

TEST_F(TrackerTest, MaxSessionsCapEndsLeastRecentlyActive) {
  SessionTrackerOptions options;
  options.shards = 2;
  options.max_sessions = 20;
  Reset(options);
  for (int i = 0; i < 100; ++i) {
    tracker_->Apply(Ev(EventType::kPlay, i * kSec, "A", -1, Name("user", i)));
  }
  EXPECT_LE(tracker_->active_sessions(), 20u);
  EXPECT_GT(tracker_->stats().evicted_capacity, 0u);
  EXPECT_EQ(tracker_->active_sessions() + tracker_->profiles(), 100u);
  EXPECT_TRUE(tracker_->Get("user99").has_value());  // the newest survive
  EXPECT_FALSE(tracker_->Get("user0").has_value());
  EXPECT_EQ(tracker_->GetProfile("user0")->sessions, 1u);
}

TEST_F(TrackerTest, ProfileTableIsBounded) {
  SessionTrackerOptions options;
  options.shards = 1;
  options.max_profiles = 50;
  Reset(options);
  for (int i = 0; i < 200; ++i) {
    tracker_->Apply(Ev(EventType::kPlay, i * kSec, "A", -1, Name("user", i)));
    tracker_->Apply(Ev(EventType::kExit, i * kSec + 1, "", -1, Name("user", i)));
    tracker_->EvictIdle(kT0 + i * kSec + 12 * kSec);  // parks users in the order they left
  }
  tracker_->EvictIdle(kT0 + 10 * 60 * kMin);
  EXPECT_EQ(tracker_->active_sessions(), 0u);
  EXPECT_LE(tracker_->profiles(), 50u);
  EXPECT_GT(tracker_->stats().profiles_dropped, 0u);
  EXPECT_TRUE(tracker_->GetProfile("user199").has_value());  // the most recently seen are kept
  EXPECT_FALSE(tracker_->GetProfile("user0").has_value());
}

TEST_F(TrackerTest, ConcurrentUsersAndReaders) {
  constexpr int kThreads = 4, kUsers = 50, kPlays = 40;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      for (int u = 0; u < kUsers; ++u) {
        tracker_->Visit(Name("w0-", u), [](const SessionState& s) { EXPECT_LE(s.plays.size(), 64u); });
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPlays; ++i) {
        for (int u = 0; u < kUsers; ++u) {
          const std::string user = Name("w", t) + Name("-", u);
          tracker_->Apply(Ev(EventType::kPlay, i * 10 * kSec, Name("T", i % 7), -1, user));
          tracker_->Apply(Ev(EventType::kSkip, i * 10 * kSec + kSec, Name("T", i % 7), -1, user));
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  reader.join();
  EXPECT_EQ(tracker_->active_sessions(), size_t{kThreads * kUsers});
  EXPECT_EQ(tracker_->stats().events_applied, uint64_t{2 * kThreads * kUsers * kPlays});
  SessionState s = State("w3-7");
  EXPECT_EQ(s.counters.plays, uint32_t{kPlays});
  EXPECT_EQ(s.counters.consecutive_skips, uint32_t{kPlays});
}

}  // namespace
}  // namespace segue
