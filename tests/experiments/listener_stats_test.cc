#include "experiments/listener_stats.h"

#include <gtest/gtest.h>

#include "experiments/listener_stats_codec.h"
#include "tests/log/test_util.h"

namespace segue::experiments {
namespace {

constexpr int64_t kHorizon = 600'000;

LoggedEvent Ev(uint64_t seq, EventType type, int64_t ts) {
  LoggedEvent e;
  e.seq = seq;
  e.event.user_id = testing::Id("u", 1);
  e.event.type = type;
  e.event.ts_ms = ts;
  return e;
}

ApplyOutcome Out(bool new_session = false, bool session_ended = false, bool play_ended = false,
                 PlayEnd how = PlayEnd::kOngoing) {
  ApplyOutcome o;
  o.applied = true;
  o.new_session = new_session;
  o.session_ended = session_ended;
  o.play_ended = play_ended;
  o.how = how;
  return o;
}

double Y(const ListenerStats& s, Metric m) { return MetricInputs(s, m).second; }
double X(const ListenerStats& s, Metric m) { return MetricInputs(s, m).first; }

TEST(ListenerStatsTest, SessionsPlaysSkipsExits) {
  ListenerStats s;
  EXPECT_TRUE(CountEvent(s, Ev(1, EventType::kPlay, 1000), Out(true), kHorizon));
  EXPECT_TRUE(CountEvent(s, Ev(2, EventType::kSkip, 5000), Out(false, false, true, PlayEnd::kSkipped), kHorizon));
  EXPECT_TRUE(CountEvent(s, Ev(3, EventType::kPlay, 6000), Out(), kHorizon));
  EXPECT_TRUE(CountEvent(s, Ev(4, EventType::kExit, 61'000), Out(false, true, true, PlayEnd::kExited), kHorizon));
  // A new session an hour later that times out: it ends at its last event, without an exit.
  EXPECT_TRUE(CountEvent(s, Ev(5, EventType::kPlay, 3'661'000), Out(true), kHorizon));
  EXPECT_TRUE(CountEvent(s, Ev(6, EventType::kComplete, 3'861'000), Out(false, false, true, PlayEnd::kCompleted), kHorizon));
  EXPECT_TRUE(CountEvent(s, Ev(7, EventType::kPlay, 9'000'000), Out(true, true), kHorizon));
  EXPECT_EQ(X(s, Metric::kTriggerRate), 3);  // sessions
  EXPECT_EQ(X(s, Metric::kSkipRate), 3);     // plays ended
  EXPECT_EQ(Y(s, Metric::kSkipRate), 1);
  EXPECT_EQ(X(s, Metric::kExitRate), 2);     // sessions ended
  EXPECT_EQ(Y(s, Metric::kExitRate), 1);
  EXPECT_EQ(Y(s, Metric::kSessionLengthMs), 60'000 + 200'000);
}

TEST(ListenerStatsTest, NotActedTriggersResolveWithinTheHorizon) {
  ListenerStats s;
  CountEvent(s, Ev(1, EventType::kPlay, 0), Out(true), kHorizon);
  CountTrigger(s, 1000, /*acted=*/false);
  CountEvent(s, Ev(2, EventType::kSkip, 2000), Out(), kHorizon);  // still within the horizon: pending
  EXPECT_EQ(X(s, Metric::kTriggerPrecision), 0);
  CountEvent(s, Ev(3, EventType::kExit, 500'000), Out(false, true), kHorizon);  // exit within: disengaged
  EXPECT_EQ(X(s, Metric::kTriggerPrecision), 1);
  EXPECT_EQ(Y(s, Metric::kTriggerPrecision), 1);

  CountEvent(s, Ev(4, EventType::kPlay, 10'000'000), Out(true), kHorizon);
  CountTrigger(s, 10'000'000, false);
  CountEvent(s, Ev(5, EventType::kPlay, 10'700'000), Out(), kHorizon);  // active past the horizon
  EXPECT_EQ(X(s, Metric::kFalsePositiveRate), 2);
  EXPECT_EQ(Y(s, Metric::kFalsePositiveRate), 1);

  CountTrigger(s, 10'800'000, false);
  CountEvent(s, Ev(6, EventType::kPlay, 20'000'000), Out(true, true), kHorizon);  // went silent: timed out
  EXPECT_EQ(Y(s, Metric::kTriggerPrecision), 2);

  CountTrigger(s, 20'000'000, true);  // acted on: not a precision sample
  CountEvent(s, Ev(7, EventType::kExit, 20'001'000), Out(false, true), kHorizon);
  EXPECT_EQ(X(s, Metric::kTriggerPrecision), 3);
  EXPECT_EQ(Y(s, Metric::kTriggerRate), 4);
}

TEST(ListenerStatsTest, ReplayedEventsAreNotCountedAgain) {
  ListenerStats s;
  EXPECT_TRUE(CountEvent(s, Ev(10, EventType::kPlay, 0), Out(true), kHorizon));
  EXPECT_FALSE(CountEvent(s, Ev(10, EventType::kPlay, 0), Out(true), kHorizon));
  EXPECT_TRUE(s.replaying);
  EXPECT_FALSE(CountEvent(s, Ev(9, EventType::kPlay, 0), Out(true), kHorizon));
  EXPECT_EQ(s.sessions, 1u);
  EXPECT_TRUE(CountEvent(s, Ev(11, EventType::kSkip, 10), Out(false, false, true, PlayEnd::kSkipped), kHorizon));
  EXPECT_FALSE(s.replaying);
}

feedback::Outcome Outcome(std::string rec, feedback::OutcomeKind kind, bool pushed, int64_t listened_ms) {
  feedback::Outcome o;
  o.rec_id = std::move(rec);
  o.user_id = testing::Id("u", 1);
  o.kind = kind;
  o.pushed = pushed;
  o.listened_ms = listened_ms;
  return o;
}

TEST(ListenerStatsTest, OutcomesCountOncePerImpression) {
  using K = feedback::OutcomeKind;
  ListenerStats s;
  CountOutcome(s, Outcome("r1", K::kCompleted, true, 200'000));
  CountOutcome(s, Outcome("r1", K::kListened, true, 40'000));  // a second engaged track of the same push
  CountOutcome(s, Outcome("r2", K::kSkipped, true, 5'000));
  CountOutcome(s, Outcome("r3", K::kIgnored, true, 0));
  CountOutcome(s, Outcome("r4", K::kListened, false, 60'000));  // a pulled recommendation
  EXPECT_EQ(X(s, Metric::kClickThrough), 3);
  EXPECT_EQ(Y(s, Metric::kClickThrough), 1);
  EXPECT_EQ(X(s, Metric::kListeningMsAfterRec), 4);
  EXPECT_EQ(Y(s, Metric::kListeningMsAfterRec), 305'000);
}

TEST(ListenerStatsTest, CodecRoundTripsAndRejectsDamage) {
  ListenerStats s;
  CountEvent(s, Ev(3, EventType::kPlay, 1000), Out(true), kHorizon);
  CountTrigger(s, 1000, false);
  CountOutcome(s, Outcome("r1", feedback::OutcomeKind::kCompleted, true, 1));
  ListenerStats back;
  ASSERT_TRUE(ListenerStatsFromJson(ListenerStatsToJson(s), &back));
  EXPECT_EQ(back.last_seq, 3u);
  EXPECT_EQ(back.pending_count, 1u);
  EXPECT_EQ(back.recent_recs, s.recent_recs);
  EXPECT_EQ(back.clicked, 1u);
  nlohmann::json short_entry = ListenerStatsToJson(s);
  short_entry.erase(short_entry.size() - 1);
  EXPECT_FALSE(ListenerStatsFromJson(short_entry, &back));
  EXPECT_FALSE(ListenerStatsFromJson(nlohmann::json::object(), &back));
}

}  // namespace
}  // namespace segue::experiments
