#include "feedback/feedback_collector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "feedback/outcome_json.h"
#include "log/event_log.h"
#include "log/test_util.h"

namespace segue::feedback {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kS = 1000;
constexpr int64_t kMin = 60 * kS;

Event Ev(std::string user, EventType type, int64_t ts, std::string track = "", std::string rec_id = "") {
  static int next_id = 0;
  Event e;
  e.event_id = segue::testing::Id("e", ++next_id);
  e.user_id = std::move(user);
  e.type = type;
  e.ts_ms = ts;
  e.track_id = std::move(track);
  e.context.rec_id = std::move(rec_id);
  return e;
}

impressions::Impression Imp(std::string user, std::string rec_id, std::vector<std::string> tracks, int64_t event_ts,
                            bool pushed = true) {
  impressions::Impression m;
  m.rec_id = std::move(rec_id);
  m.user_id = std::move(user);
  m.ts_ms = 5;  // wall clock: attribution must not look at it
  m.event_ts_ms = event_ts;
  m.track_ids = std::move(tracks);
  if (pushed) m.trigger_score = 0.9f;
  return m;
}

using Key = std::tuple<std::string, std::string, std::string, OutcomeKind>;
Key KeyOf(const Outcome& o) { return {o.user_id, o.rec_id, o.track_id, o.kind}; }

struct Recorder : OutcomeObserver {
  void OnOutcome(const Outcome& o) override { seen.push_back(o); }
  std::vector<Outcome> seen;
};

class FeedbackCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions options;
    options.dir = dir_.path() + "/log";
    options.sync = false;
    auto log = EventLog::Open(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }

  std::unique_ptr<FeedbackCollector> Open(Recorder* recorder) {
    FeedbackOptions options;
    options.dir = dir_.path() + "/feedback";
    options.shards = 4;
    options.sweep_interval_ms = 3'600'000;  // tests sweep by hand
    auto c = FeedbackCollector::Open(options, registry_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return nullptr;
    (*c)->AddObserver(recorder);
    return std::move(*c);
  }

  // Appends `events` to the log and returns them as logged (with their seqs).
  std::vector<LoggedEvent> Append(std::vector<Event> events) {
    const uint64_t from = log_->last_seq() + 1;
    EXPECT_TRUE(log_->Append(std::move(events)).ok());
    std::vector<LoggedEvent> logged;
    EventLog::ScanOptions scan;
    scan.from_seq = from;
    EXPECT_TRUE(log_->Scan(scan, [&](const LoggedEvent& e) { return logged.push_back(e), true; }).ok());
    return logged;
  }

  // As the pipeline would, then reports what they decided.
  static void Deliver(FeedbackCollector& c, const std::vector<LoggedEvent>& events) {
    for (const LoggedEvent& e : events) c.OnEventApplied(e, ApplyOutcome{.applied = true});
    c.Flush();
  }

  // What the sessions restore does after a restart (session_snapshot.h): hands the collector every
  // event after the snapshot's seq.
  void ReplayTail(FeedbackCollector& c, uint64_t snapshot_seq) {
    EventLog::ScanOptions scan;
    scan.from_seq = snapshot_seq + 1;
    ASSERT_TRUE(log_->Scan(scan, [&](const LoggedEvent& e) {
                      c.OnEventApplied(e, ApplyOutcome{.applied = true});
                      return true;
                    }).ok());
    c.Flush();
  }

  std::vector<Outcome> Stored() {
    std::vector<Outcome> out;
    Status s = OutcomeStore::ExportAll(dir_.path() + "/feedback",
                                       [&](const Outcome& o) { return out.push_back(o), true; });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  segue::testing::TempDir dir_;
  metrics::Registry registry_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(FeedbackCollectorTest, AttributesStoresAndReportsEachOutcomeOnce) {
  Recorder recorder;
  auto c = Open(&recorder);
  ASSERT_NE(c, nullptr);
  Deliver(*c, Append({Ev("quiet", EventType::kPlay, kT0, "a")}));  // nothing pending: nothing happens
  c->Record(Imp("u1", "r1", {"a", "b"}, kT0));
  c->Record(Imp("u2", "r2", {"c"}, kT0, /*pushed=*/false));
  c->Record(Imp("u3", "r3", {}, kT0));  // an empty list: nothing could be played, nothing is pending
  EXPECT_EQ(c->pending(), 2u);
  Deliver(*c, Append({Ev("u1", EventType::kPlay, kT0 + kS, "a", "r1"), Ev("u2", EventType::kExit, kT0 + kS),
                      Ev("u1", EventType::kComplete, kT0 + 200 * kS, "a")}));
  ASSERT_EQ(recorder.seen.size(), 2u);
  EXPECT_EQ(recorder.seen[0].kind, OutcomeKind::kExit);
  EXPECT_FALSE(recorder.seen[0].pushed);
  EXPECT_EQ(recorder.seen[1].kind, OutcomeKind::kCompleted);
  EXPECT_EQ(recorder.seen[1].listened_ms, 199 * kS);
  // The watermark (kT0 + 200 s) has not closed the windows; a later event of anyone does.
  c->Sweep();
  EXPECT_EQ(recorder.seen.size(), 2u);
  Deliver(*c, Append({Ev("quiet", EventType::kPlay, kT0 + 31 * kMin, "z")}));
  c->Sweep();
  EXPECT_EQ(recorder.seen.size(), 2u);  // u1 played, u2 exited: neither is ignored
  EXPECT_EQ(c->pending(), 0u);
  const std::string text = registry_.RenderText();
  EXPECT_NE(text.find("segue_feedback_outcomes_total{kind=\"completed\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_feedback_outcomes_total{kind=\"ignored\"} 0"), std::string::npos);
  EXPECT_NE(text.find("segue_feedback_pending_impressions 0"), std::string::npos);
  c.reset();
  std::vector<Outcome> stored = Stored();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(KeyOf(stored[0]), KeyOf(recorder.seen[1]));  // key order: u1 before u2
  EXPECT_EQ(OutcomeToJson(stored[1]), OutcomeToJson(recorder.seen[0]));
}

TEST_F(FeedbackCollectorTest, TheSweepIgnoresImpressionsWhoseWindowClosed) {
  Recorder recorder;
  auto c = Open(&recorder);
  ASSERT_NE(c, nullptr);
  c->Record(Imp("u1", "r1", {"a"}, kT0));
  c->Sweep();
  EXPECT_TRUE(recorder.seen.empty());
  Deliver(*c, Append({Ev("other", EventType::kPlay, kT0 + 30 * kMin + 1, "x")}));
  c->Sweep();
  ASSERT_EQ(recorder.seen.size(), 1u);
  EXPECT_EQ(recorder.seen[0].kind, OutcomeKind::kIgnored);
  EXPECT_EQ(recorder.seen[0].user_id, "u1");
}

// The script of the restart test: two listeners, impressions made between events, plays in progress
// across the cut.
struct Script {
  std::vector<Event> before_first, before_second, after;
};

Script RestartScript() {
  return {{Ev("u1", EventType::kPlay, kT0, "x"), Ev("u2", EventType::kPlay, kT0, "y")},
          {Ev("u1", EventType::kPlay, kT0 + kS, "a", "r1"), Ev("u2", EventType::kSearch, kT0 + kS),
           Ev("u1", EventType::kSkip, kT0 + 5 * kS, "a"), Ev("u1", EventType::kPlay, kT0 + 6 * kS, "b"),
           Ev("u2", EventType::kPlay, kT0 + 7 * kS, "c")},
          {Ev("u1", EventType::kPause, kT0 + 20 * kS), Ev("u1", EventType::kResume, kT0 + 30 * kS),
           Ev("u1", EventType::kComplete, kT0 + 100 * kS, "b"), Ev("u2", EventType::kSkip, kT0 + 60 * kS, "c"),
           Ev("u3", EventType::kPlay, kT0 + 31 * kMin, "z")}};
}

std::set<Key> Keys(const std::vector<Outcome>& outcomes) {
  std::set<Key> keys;
  for (const Outcome& o : outcomes) keys.insert(KeyOf(o));
  return keys;
}

TEST_F(FeedbackCollectorTest, ARestartInTheMiddleCountsNothingTwiceAndStillDecidesWhatWasPending) {
  const Script script = RestartScript();
  Recorder first_life;
  uint64_t snapshot_seq = 0;
  {
    auto c = Open(&first_life);
    ASSERT_NE(c, nullptr);
    std::vector<LoggedEvent> early = Append(script.before_first);
    Deliver(*c, early);
    snapshot_seq = early.back().seq;  // a sessions snapshot taken here: the replay starts after it
    c->Record(Imp("u1", "r1", {"a", "b"}, kT0));
    c->Record(Imp("u2", "r2", {"c", "d"}, kT0));
    Deliver(*c, Append(script.before_second));
    // u1 skipped a (decided), plays b (in progress); u2 searched (decided), plays c (in progress).
    ASSERT_EQ(first_life.seen.size(), 2u);
  }
  // The second life replays everything after the snapshot, including what the first already folded.
  Recorder second_life;
  auto c = Open(&second_life);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->pending(), 2u);
  ReplayTail(*c, snapshot_seq);
  EXPECT_TRUE(second_life.seen.empty());
  Deliver(*c, Append(script.after));
  c->Sweep();
  std::vector<Outcome> all = first_life.seen;
  all.insert(all.end(), second_life.seen.begin(), second_life.seen.end());
  const std::set<Key> keys = Keys(all);
  EXPECT_EQ(keys.size(), all.size()) << "an outcome was reported twice";
  const std::set<Key> expected = {{"u1", "r1", "a", OutcomeKind::kSkipped},
                                  {"u1", "r1", "b", OutcomeKind::kCompleted},
                                  {"u2", "r2", "", OutcomeKind::kSearch},
                                  {"u2", "r2", "c", OutcomeKind::kListened}};
  EXPECT_EQ(keys, expected);
  // The play in progress across the restart kept its played time (pause excluded): 14 + 70 s.
  auto b = std::find_if(all.begin(), all.end(), [](const Outcome& o) { return o.track_id == "b"; });
  ASSERT_NE(b, all.end());
  EXPECT_EQ(b->listened_ms, 84 * kS);
  c.reset();
  EXPECT_EQ(Keys(Stored()), expected);
}

TEST_F(FeedbackCollectorTest, ReplayingAfterEverythingWasDecidedReportsNothing) {
  const Script script = RestartScript();
  Recorder first_life;
  {
    auto c = Open(&first_life);
    ASSERT_NE(c, nullptr);
    c->Record(Imp("u1", "r1", {"a", "b"}, kT0));
    c->Sweep();
    Deliver(*c, Append(script.before_second));
    Deliver(*c, Append(script.after));
  }
  ASSERT_EQ(first_life.seen.size(), 2u);
  Recorder second_life;
  auto c = Open(&second_life);
  ASSERT_NE(c, nullptr);
  ReplayTail(*c, 0);
  c->Sweep();
  EXPECT_TRUE(second_life.seen.empty());
  EXPECT_EQ(Stored().size(), 2u);
}

TEST_F(FeedbackCollectorTest, AnOutcomeDerivedAgainIsFoundInTheStoreNotStoredOrReportedTwice) {
  Recorder first_life;
  ListenerFeedback during_play;  // u1's state after the attributed play started, before the skip
  {
    auto c = Open(&first_life);
    ASSERT_NE(c, nullptr);
    c->Record(Imp("u1", "r1", {"a"}, kT0));
    Deliver(*c, Append({Ev("u1", EventType::kPlay, kT0 + kS, "a", "r1")}));
    ASSERT_TRUE(c->store().ForEachState([&](std::string_view, ListenerFeedback s) { during_play = s; }).ok());
    Deliver(*c, Append({Ev("u1", EventType::kSkip, kT0 + 2 * kS, "a")}));
    ASSERT_EQ(first_life.seen.size(), 1u);
  }
  {
    // Put back the older state, as if the commit that decided the outcome had kept its outcome only.
    auto store = OutcomeStore::Open(dir_.path() + "/feedback");
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Commit("u1", {}, during_play).ok());
  }
  Recorder second_life;
  auto c = Open(&second_life);
  ASSERT_NE(c, nullptr);
  ReplayTail(*c, 0);
  EXPECT_TRUE(second_life.seen.empty());
  EXPECT_NE(registry_.RenderText().find("segue_feedback_duplicate_outcomes_total 1"), std::string::npos);
  c.reset();
  EXPECT_EQ(Stored().size(), 1u);
}

// Workers own disjoint listeners (as the pipeline's partitions do) while impressions arrive and the
// watermark sweeps run: every outcome is stored and reported exactly once.
TEST_F(FeedbackCollectorTest, ConcurrentWorkersRecordsAndSweepsLoseAndDuplicateNothing) {
  struct Counting : OutcomeObserver {
    void OnOutcome(const Outcome& o) override {
      std::lock_guard lock(mu);
      ++by_user[o.user_id];
    }
    std::mutex mu;
    std::map<std::string, int> by_user;
  } counting;
  FeedbackOptions options;
  options.dir = dir_.path() + "/feedback";
  options.shards = 8;
  options.sweep_interval_ms = 1;
  auto c = FeedbackCollector::Open(options, registry_);
  ASSERT_TRUE(c.ok());
  (*c)->AddObserver(&counting);
  constexpr int kWorkers = 4, kListeners = 50;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < kListeners; ++i) {
        const std::string user = segue::testing::Id(segue::testing::Id("w", w) + "u", i);
        (*c)->Record(Imp(user, user + "r", {"a", "b"}, kT0));
        uint64_t seq = static_cast<uint64_t>(w * 1000 + i * 10);
        for (const Event& e : {Ev(user, EventType::kPlay, kT0 + kS, "a", user + "r"),
                               Ev(user, EventType::kComplete, kT0 + 200 * kS, "a"),
                               Ev(user, EventType::kPlay, kT0 + 201 * kS, "b")}) {
          (*c)->OnEventApplied(LoggedEvent{0, ++seq, 0, e}, ApplyOutcome{.applied = true});
        }
      }
    });
  }
  std::thread sweeper([&] {
    for (int i = 0; i < 200; ++i) (*c)->Sweep();
  });
  for (std::thread& t : workers) t.join();
  sweeper.join();
  (*c)->Flush();
  EXPECT_EQ(counting.by_user.size(), size_t{kWorkers * kListeners});
  for (const auto& [user, n] : counting.by_user) EXPECT_EQ(n, 1) << user;  // b is still playing
  EXPECT_EQ((*c)->pending(), size_t{kWorkers * kListeners});
  c->reset();
  EXPECT_EQ(Stored().size(), size_t{kWorkers * kListeners});
}

TEST_F(FeedbackCollectorTest, BeyondMaxPendingNewImpressionsAreDroppedAndCounted) {
  FeedbackOptions options;
  options.dir = dir_.path() + "/feedback";
  options.max_pending = 2;
  auto c = FeedbackCollector::Open(options, registry_);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 3; ++i) (*c)->Record(Imp(segue::testing::Id("u", i), segue::testing::Id("r", i), {"a"}, kT0));
  EXPECT_EQ((*c)->pending(), 2u);
  EXPECT_NE(registry_.RenderText().find("segue_feedback_impressions_dropped_total 1"), std::string::npos);
}

TEST_F(FeedbackCollectorTest, AListenersOutcomesAreOneRangeAndDeletable) {
  Recorder recorder;
  auto c = Open(&recorder);
  ASSERT_NE(c, nullptr);
  c->Record(Imp("u1", "r1", {"a"}, kT0));
  c->Record(Imp("u10", "r2", {"a"}, kT0));
  Deliver(*c, Append({Ev("u1", EventType::kSearch, kT0 + kS), Ev("u10", EventType::kSearch, kT0 + kS)}));
  c.reset();
  auto store = OutcomeStore::Open(dir_.path() + "/feedback");
  ASSERT_TRUE(store.ok());
  auto count = [&](const char* user) {
    size_t n = 0;
    EXPECT_TRUE((*store)->ForEachOfListener(user, [&](const Outcome&) { return ++n, true; }).ok());
    return n;
  };
  EXPECT_EQ(count("u1"), 1u);
  ASSERT_TRUE((*store)->DeleteListener("u1").ok());
  EXPECT_EQ(count("u1"), 0u);
  EXPECT_EQ(count("u10"), 1u);
}

}  // namespace
}  // namespace segue::feedback
