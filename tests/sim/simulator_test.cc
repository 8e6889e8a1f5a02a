#include "sim/simulator.h"

#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "events/event_json.h"
#include "events/event_parser.h"
#include "sim_test_util.h"

namespace segue::sim {
namespace {

std::string Ndjson(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) {
    AppendEventJson(e, &out);
    out += '\n';
  }
  return out;
}

TEST(SimulatorTest, SameSeedSameBytes) {
  const std::string a = Ndjson(RunAll(SmallConfig(60, 2, 42)));
  const std::string b = Ndjson(RunAll(SmallConfig(60, 2, 42)));
  ASSERT_GT(a.size(), 10'000u);
  EXPECT_EQ(a, b);
}

TEST(SimulatorTest, DifferentSeedsDiffer) {
  std::vector<Event> a = RunAll(SmallConfig(60, 2, 1));
  std::vector<Event> b = RunAll(SmallConfig(60, 2, 2));
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_NE(Ndjson(a), Ndjson(b));
  // Event ids carry the seed: runs with different seeds never collide in the server's de-duplication.
  std::set<std::string> ids;
  for (const Event& e : a) ids.insert(e.event_id);
  for (const Event& e : b) EXPECT_FALSE(ids.count(e.event_id)) << e.event_id;
}

TEST(SimulatorTest, EventsValidateAndAreOrdered) {
  SimConfig config = SmallConfig(200, 3, 9);
  Simulator sim(config);
  VectorSink sink;
  ASSERT_TRUE(sim.Run(sink).ok());
  const std::vector<Event>& events = sink.events();
  ASSERT_GT(events.size(), 5000u);
  EXPECT_EQ(sim.stats().events, events.size());

  // Every event passes the server's parser, with "now" just after the simulated period.
  const std::string body = Ndjson(events);
  Result<ParsedBatch> parsed = ParseEventBatch(body, BodyFormat::kNdjson, ParseLimits{.max_events_per_batch = 10'000'000},
                                               sim.end_ms() + 3'600'000);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  for (const Rejection& r : parsed->rejected) ADD_FAILURE() << r.index << " " << r.field << ": " << r.error;
  ASSERT_EQ(parsed->events.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) ASSERT_EQ(parsed->events[i], events[i]) << i;

  std::set<std::string> ids;
  std::map<std::string, int64_t> last_ts;
  int64_t previous = 0;
  for (const Event& e : events) {
    EXPECT_TRUE(ids.insert(e.event_id).second) << "duplicate " << e.event_id;
    EXPECT_GE(e.ts_ms, previous) << "global order";  // sinks see events in timestamp order
    previous = e.ts_ms;
    int64_t& last = last_ts[e.user_id];
    EXPECT_GE(e.ts_ms, last) << e.event_id;
    last = e.ts_ms;
    EXPECT_GE(e.ts_ms, config.start_ms);
    // Sessions stop at the end of the period; only the last track (and a pause) may run over.
    EXPECT_LT(e.ts_ms, sim.end_ms() + 45 * 60'000);
  }
  EXPECT_GT(last_ts.size(), 150u);  // most listeners listened at least once in 3 days
  EXPECT_GT(sim.sessions(), 200u);
  // Per-listener play records add up to the play events, and a live driver can drop them.
  uint64_t plays = 0;
  for (size_t i = 0; i < sim.listener_count(); ++i) plays += sim.listener(i).plays().size();
  EXPECT_EQ(plays, sim.stats().count(EventType::kPlay));
  sim.listener(0).ClearPlays();
  EXPECT_TRUE(sim.listener(0).plays().empty());
  for (EventType t : {EventType::kPlay, EventType::kSkip, EventType::kComplete, EventType::kPause,
                      EventType::kResume, EventType::kSeek, EventType::kSearch, EventType::kExit, EventType::kLike,
                      EventType::kDislike}) {
    EXPECT_GT(sim.stats().count(t), 0u) << EventTypeName(t);
  }
}

TEST(SimulatorTest, RunUntilInStepsEqualsOneRun) {
  SimConfig config = SmallConfig(50, 2, 5);
  const std::vector<Event> whole = RunAll(config);
  Simulator sim(config);
  VectorSink sink;
  for (int64_t t = config.start_ms; !sim.done(); t += 3'600'000) ASSERT_TRUE(sim.RunUntil(t, sink).ok());
  EXPECT_EQ(sink.events(), whole);
}

TEST(SimulatorTest, SinkErrorStopsTheRun) {
  class FailingSink : public EventSink {
   public:
    Status Write(std::span<const Event>) override { return Status::IoError("disk full"); }
  };
  Simulator sim(SmallConfig(200, 3, 1));
  FailingSink sink;
  Status s = sim.Run(sink);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_FALSE(sim.done());
}

// Rounds (the closed loop's shape): each listener acts at most once per round, the rounds together give
// every listener exactly the events RunUntil gives it, and a round that finds nothing due returns 0.
TEST(SimulatorTest, RoundsStepEachListenerAtMostOnceAndGiveTheSameEvents) {
  const SimConfig config = SmallConfig(40, 1, 7);
  const int64_t until = config.start_ms + 86'400'000 / 2;
  Simulator whole(config);
  VectorSink all;
  ASSERT_TRUE(whole.RunUntil(until, all).ok());

  Simulator rounds(config);
  std::map<std::string, std::vector<Event>> by_user;
  size_t rounds_run = 0, max_actions = 0;
  for (;;) {
    VectorSink sink;
    Result<size_t> actions = rounds.RunRound(until, sink);
    ASSERT_TRUE(actions.ok());
    if (*actions == 0) break;
    ++rounds_run;
    max_actions = std::max(max_actions, *actions);
    // An action emits at most one event (listener.cc), so two events of a listener in a round would be
    // two actions.
    std::set<std::string> seen;
    for (Event& e : sink.events()) {
      EXPECT_TRUE(seen.insert(e.user_id).second) << e.user_id << " acted twice in one round";
      by_user[e.user_id].push_back(std::move(e));
    }
  }
  EXPECT_GT(rounds_run, 10u);  // as many as the busiest listener has actions
  EXPECT_LE(max_actions, config.users);
  EXPECT_GE(rounds.next_action_ms(), until);

  std::map<std::string, std::vector<Event>> expected;
  for (Event& e : all.events()) expected[e.user_id].push_back(std::move(e));
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(by_user, expected);
}

}  // namespace
}  // namespace segue::sim
