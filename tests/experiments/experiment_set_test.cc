#include "experiments/experiment_set.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "experiments/assignment.h"
#include "tests/log/test_util.h"

namespace segue::experiments {
namespace {

ExperimentSpec Spec(std::string id, std::vector<ArmSpec> arms) {
  ExperimentSpec spec;
  spec.id = std::move(id);
  spec.arms = std::move(arms);
  return spec;
}

const ExperimentSpec kShadowVsPush =
    Spec("push", {{"control", ArmKind::kShadow, 1, 0, ""}, {"treat", ArmKind::kTreatment, 1, 0, ""}});

// The first listener id "u<i>" that `spec` puts in arm `arm`.
std::string UserInArm(const ExperimentSpec& spec, size_t arm, int from = 0) {
  for (int i = from;; ++i) {
    if (AssignArm(spec, testing::Id("u", i)) == arm) return testing::Id("u", i);
  }
}

LoggedEvent Ev(const std::string& user, uint64_t seq, EventType type, int64_t ts) {
  LoggedEvent e;
  e.seq = seq;
  e.event.user_id = user;
  e.event.type = type;
  e.event.ts_ms = ts;
  return e;
}

ApplyOutcome NewSession() {
  ApplyOutcome o;
  o.applied = true;
  o.new_session = true;
  return o;
}

uint64_t Triggers(metrics::Registry& registry, const std::string& experiment, const std::string& arm,
                  const std::string& action) {
  return registry.AddCounterFamily("segue_experiment_triggers_total", "", {"experiment", "arm", "action"})
      .WithLabels({experiment, arm, action})
      .value();
}

TEST(ExperimentSetTest, ShadowWithholdsTreatmentPushes) {
  metrics::Registry registry;
  ExperimentSet set(100, registry);
  set.SetExperiments({kShadowVsPush});
  const std::string shadow = UserInArm(kShadowVsPush, 0), treated = UserInArm(kShadowVsPush, 1);
  EXPECT_FALSE(set.OnTrigger(shadow, 1000, 0.9f));
  EXPECT_TRUE(set.OnTrigger(treated, 1000, 0.9f));
  EXPECT_EQ(Triggers(registry, "push", "control", "shadow"), 1u);
  EXPECT_EQ(Triggers(registry, "push", "treat", "pushed"), 1u);
  const ExperimentReport report = *set.Report("push");
  EXPECT_EQ(*report.arms[0].metrics[static_cast<int>(Metric::kTriggerRate)].value, 0);  // no session seen: x = 0
  EXPECT_EQ(report.arms[0].listeners, 1u);
}

TEST(ExperimentSetTest, ThresholdArmActsAtOrAboveItsThreshold) {
  metrics::Registry registry;
  ExperimentSet set(100, registry);
  set.SetExperiments({Spec("thr", {{"high", ArmKind::kThreshold, 1, 0.8f, ""}})});
  EXPECT_FALSE(set.OnTrigger("a", 0, 0.79f));
  EXPECT_TRUE(set.OnTrigger("a", 0, 0.8f));
  EXPECT_EQ(Triggers(registry, "thr", "high", "below_threshold"), 1u);
}

TEST(ExperimentSetTest, AnyWithholdingExperimentWinsAndDisabledOnesDoNotDecide) {
  metrics::Registry registry;
  ExperimentSet set(100, registry);
  ExperimentSpec all_shadow = Spec("hold", {{"control", ArmKind::kShadow, 1, 0, ""}});
  ExperimentSpec all_push = Spec("go", {{"treat", ArmKind::kTreatment, 1, 0, ""}});
  set.SetExperiments({all_push, all_shadow});
  EXPECT_FALSE(set.OnTrigger("a", 0, 0.9f));
  EXPECT_EQ(Triggers(registry, "go", "treat", "withheld"), 1u);
  all_shadow.enabled = false;
  set.SetExperiments({all_push, all_shadow});
  EXPECT_TRUE(set.OnTrigger("a", 0, 0.9f));
  set.SetExperiments({});
  EXPECT_TRUE(set.OnTrigger("a", 0, 0.9f));
}

// The OutcomeObserver side, with hand-made outcomes as the feedback collector reports them.
TEST(ExperimentSetTest, OutcomesFeedClickThroughAndListeningPerArm) {
  metrics::Registry registry;
  ExperimentSet set(100, registry);
  set.SetExperiments({kShadowVsPush});
  const std::string a = UserInArm(kShadowVsPush, 1), b = UserInArm(kShadowVsPush, 1, std::stoi(a.substr(1)) + 1);
  auto outcome = [](const std::string& user, const std::string& rec, feedback::OutcomeKind kind, int64_t ms) {
    feedback::Outcome o;
    o.user_id = user;
    o.rec_id = rec;
    o.kind = kind;
    o.pushed = true;
    o.listened_ms = ms;
    return o;
  };
  // a: two pushes, one engaged (two tracks of it); b: one push, skipped.
  set.OnOutcome(outcome(a, "r1", feedback::OutcomeKind::kCompleted, 180'000));
  set.OnOutcome(outcome(a, "r1", feedback::OutcomeKind::kListened, 60'000));
  set.OnOutcome(outcome(a, "r2", feedback::OutcomeKind::kIgnored, 0));
  set.OnOutcome(outcome(b, "r3", feedback::OutcomeKind::kSkipped, 10'000));
  const ExperimentReport report = *set.Report("push");
  const ArmReport& treat = report.arms[1];
  EXPECT_EQ(treat.listeners, 2u);
  // click-through = (1 + 0) / (2 + 1) = 1/3; listening per impression = (240,000 + 10,000) / 3.
  const Estimate& ctr = treat.metrics[static_cast<int>(Metric::kClickThrough)];
  const Estimate& listening = treat.metrics[static_cast<int>(Metric::kListeningMsAfterRec)];
  ASSERT_TRUE(ctr.value && listening.value);
  EXPECT_DOUBLE_EQ(*ctr.value, 1.0 / 3);
  EXPECT_DOUBLE_EQ(*listening.value, 250'000.0 / 3);
  EXPECT_EQ(treat.metrics[static_cast<int>(Metric::kClickThrough)].n, 2u);
  EXPECT_EQ(report.arms[0].listeners, 0u);
}

TEST(ExperimentSetTest, StatisticsSurviveARestartWithoutDoubleCountingTheReplay) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/stats.json";
  const std::string user = UserInArm(kShadowVsPush, 0);
  {
    metrics::Registry registry;
    ExperimentSet set(100, registry);
    set.SetExperiments({kShadowVsPush});
    set.OnEventApplied(Ev(user, 1, EventType::kPlay, 0), NewSession());
    set.OnTrigger(user, 0, 0.9f);
    ASSERT_TRUE(set.Save(path).ok());
  }
  metrics::Registry registry;
  ExperimentSet set(100, registry);
  set.SetExperiments({kShadowVsPush});
  ASSERT_TRUE(set.Load(path).ok());
  // The log tail replayed after the restart: seq 1 again (and the trigger it causes), then seq 2.
  set.OnEventApplied(Ev(user, 1, EventType::kPlay, 0), NewSession());
  EXPECT_FALSE(set.OnTrigger(user, 0, 0.9f));
  set.OnEventApplied(Ev(user, 2, EventType::kPlay, 3'600'000), NewSession());
  const ExperimentReport report = *set.Report("push");
  EXPECT_EQ(report.arms[0].sessions, 2u);
  EXPECT_EQ(MetricInputs(ListenerStats{}, Metric::kTriggerRate).first, 0);
  const Estimate& rate = report.arms[0].metrics[static_cast<int>(Metric::kTriggerRate)];
  EXPECT_DOUBLE_EQ(*rate.value, 0.5);  // one trigger in two sessions
  const Estimate& precision = report.arms[0].metrics[static_cast<int>(Metric::kTriggerPrecision)];
  EXPECT_DOUBLE_EQ(*precision.value, 1.0);  // the next event started a new session: disengaged
}

uint64_t Listeners(const ExperimentSet& set, std::string_view id) {
  const ExperimentReport report = *set.Report(id);
  uint64_t listeners = 0;
  for (const ArmReport& a : report.arms) listeners += a.listeners;
  return listeners;
}

TEST(ExperimentSetTest, ChangedArmsRestartStatisticsAndTheCapIsCounted) {
  metrics::Registry registry;
  ExperimentSet set(1, registry);
  set.SetExperiments({kShadowVsPush});
  set.OnEventApplied(Ev("a", 1, EventType::kPlay, 0), NewSession());
  set.OnEventApplied(Ev("b", 2, EventType::kPlay, 0), NewSession());
  EXPECT_EQ(registry.AddCounter("segue_experiment_untracked_total", "").value(), 1u);
  ExperimentSpec described = kShadowVsPush;
  described.description = "same arms";
  set.SetExperiments({described});
  EXPECT_EQ(Listeners(set, "push"), 1u);
  ExperimentSpec reweighted = kShadowVsPush;
  reweighted.arms[1].weight = 3;
  set.SetExperiments({reweighted});
  EXPECT_EQ(Listeners(set, "push"), 0u);
  set.OnEventApplied(Ev("b", 3, EventType::kPlay, 0), NewSession());  // the cap freed up again
  EXPECT_EQ(registry.AddCounter("segue_experiment_untracked_total", "").value(), 1u);
  EXPECT_NE(registry.RenderText().find("segue_experiment_listeners 1\n"), std::string::npos);
  set.SetExperiments({});  // removed: its entries are released
  EXPECT_NE(registry.RenderText().find("segue_experiment_listeners 0\n"), std::string::npos);
}

TEST(ExperimentSetTest, DamagedStatisticsFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/stats.json";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{\"version\":1,\"experiments\":[{\"id\":\"push\",\"arms\":[],\"listeners\":7}]}", f);
  std::fclose(f);
  metrics::Registry registry;
  ExperimentSet set(10, registry);
  set.SetExperiments({kShadowVsPush});
  Status s = set.Load(path);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find(path), std::string::npos);
}

}  // namespace
}  // namespace segue::experiments
