// Experiments in the server: the routes through FakeServerHost (PUT only with the admin token, stored
// durably and winning over the config file's definition), and TriggerPush consulting the experiments:
// a shadow arm's trigger pushes nothing while a treatment arm's is pushed.
#include "serving/experiments_component.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "experiments/assignment.h"
#include "push/push_service.h"
#include "serving/trigger_push.h"
#include "session/session_tracker.h"
#include "tests/log/test_util.h"
#include "tests/recommend/recommend_fakes.h"
#include "tests/serving/fake_server_host.h"

namespace segue::serving {
namespace {

namespace ex = segue::experiments;

constexpr char kToken[] = "0123456789abcdef-admin";
constexpr char kBearer[] = "Bearer 0123456789abcdef-admin";

ex::ExperimentSpec ShadowVsPush(std::string description) {
  ex::ExperimentSpec spec;
  spec.id = "push";
  spec.description = std::move(description);
  spec.arms = {{"control", ex::ArmKind::kShadow, 1, 0, ""}, {"treat", ex::ArmKind::kTreatment, 1, 0, ""}};
  return spec;
}

struct Server {
  explicit Server(const std::string& data_dir, bool admin) : set(100, host.registry()) {
    if (admin) host.set_admin(std::move(*AdminAuth::FromToken(kToken)));
    auto opened = ExperimentsComponent::Open({ShadowVsPush("from the file")}, data_dir, &set);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    component = std::move(*opened);
    component->Register(host);
  }
  testing::FakeServerHost host;
  ex::ExperimentSet set;
  std::unique_ptr<ExperimentsComponent> component;
};

TEST(ExperimentsComponentTest, ListGetAndReport) {
  segue::testing::TempDir dir;
  Server s(dir.path(), false);
  nlohmann::json list = nlohmann::json::parse(s.host.Call(HttpMethod::kGet, "/v1/experiments").body);
  ASSERT_EQ(list["experiments"].size(), 1u);
  EXPECT_EQ(list["experiments"][0]["id"], "push");
  EXPECT_EQ(list["experiments"][0]["arms"][0]["kind"], "shadow");
  EXPECT_EQ(s.host.Call(HttpMethod::kGet, "/v1/experiments/push").status, 200);
  EXPECT_EQ(s.host.Call(HttpMethod::kGet, "/v1/experiments/nope").status, 404);
  HttpResponse report = s.host.Call(HttpMethod::kGet, "/v1/experiments/push/report");
  ASSERT_EQ(report.status, 200);
  nlohmann::json r = nlohmann::json::parse(report.body);
  EXPECT_EQ(r["experiment"], "push");
  EXPECT_EQ(r["arms"].size(), 2u);
  EXPECT_EQ(r["differences"][0]["baseline"], "control");
  EXPECT_EQ(s.host.Call(HttpMethod::kGet, "/v1/experiments/nope/report").status, 404);
}

TEST(ExperimentsComponentTest, PutNeedsTheAdminToken) {
  segue::testing::TempDir dir;
  const std::string body = R"({"arms":[{"name":"all","kind":"treatment"}]})";
  {
    Server off(dir.path(), false);  // no admin token configured: the route does not exist
    EXPECT_EQ(off.host.Call(HttpMethod::kPut, "/v1/experiments/new", body, kBearer).status, 405);
  }
  Server s(dir.path(), true);
  EXPECT_EQ(s.host.Call(HttpMethod::kPut, "/v1/experiments/new", body).status, 401);
  EXPECT_EQ(s.host.Call(HttpMethod::kPut, "/v1/experiments/new", body, "Bearer wrong").status, 401);
  EXPECT_EQ(s.host.Call(HttpMethod::kGet, "/v1/experiments/new").status, 404);
  HttpResponse bad = s.host.Call(HttpMethod::kPut, "/v1/experiments/new", R"({"arms":[{"name":"x","weight":"2"}]})", kBearer);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("arms[0].weight"), std::string::npos) << bad.body;
  HttpResponse ok = s.host.Call(HttpMethod::kPut, "/v1/experiments/new", body, kBearer);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(s.host.Call(HttpMethod::kGet, "/v1/experiments/new").status, 200);
}

TEST(ExperimentsComponentTest, PutIsDurableAndWinsOverTheConfigFile) {
  segue::testing::TempDir dir;
  {
    Server s(dir.path(), true);
    const std::string body = R"({"description":"from a PUT","arms":[{"name":"control","kind":"shadow"},{"name":"treat"}]})";
    ASSERT_EQ(s.host.Call(HttpMethod::kPut, "/v1/experiments/push", body, kBearer).status, 200);
    s.component->SaveStatistics();
  }
  Server restarted(dir.path(), false);
  nlohmann::json e = nlohmann::json::parse(restarted.host.Call(HttpMethod::kGet, "/v1/experiments/push").body);
  EXPECT_EQ(e["description"], "from a PUT");
}

// TriggerPush around a real Recommender (popular fallback) and PushService: a subscriber per listener
// sees what was pushed.
TEST(TriggerPushExperimentTest, ShadowArmPushesNothingTreatmentPushes) {
  Catalog catalog;
  SessionTracker tracker(&catalog);
  auto ids = recommend::testing::AddTracks(catalog, {{"t0", "a0"}, {"t1", "a1"}});
  metrics::Registry registry;
  recommend::Recommender recommender(
      recommend::RecommendConfig{},
      recommend::RecommenderDeps{&catalog, nullptr,
                                 std::make_shared<recommend::testing::FakeRetriever>(
                                     "global_popular", recommend::testing::Descending(ids)),
                                 nullptr, nullptr, nullptr, &registry});
  auto push = push::PushService::Start(push::PushOptions{}, registry);
  ASSERT_TRUE(push.ok());
  ex::ExperimentSet set(100, registry);
  const ex::ExperimentSpec spec = ShadowVsPush("");
  set.SetExperiments({spec});
  TriggerPush trigger_push(&tracker, nullptr, &recommender, push->get(), registry, &set);

  std::string users[2];
  for (int i = 0, found = 0; found < 2; ++i) {
    const std::string user = segue::testing::Id("u", i);
    const size_t arm = ex::AssignArm(spec, user);
    if (users[arm].empty()) {
      users[arm] = user;
      ++found;
    }
  }
  std::vector<push::Subscription> subscriptions;
  for (const std::string& user : users) {
    Event play = segue::testing::MakeEvent(user + "-play", user, 1000);
    play.track_id = "t0";
    ASSERT_TRUE(tracker.Apply(play).applied);
    Result<push::Subscription> subscription = (*push)->hub().Subscribe(user);
    ASSERT_TRUE(subscription.ok());
    subscriptions.push_back(std::move(*subscription));
    trigger_push.OnTrigger(Trigger{user, 2000, user + "-play", 0.9f, 0.5f, "test"});
  }
  EXPECT_TRUE(subscriptions[0].subscriber().Drain().empty());  // shadow
  const auto pushed = subscriptions[1].subscriber().Drain();   // treatment
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_EQ(pushed[0]->user_id, users[1]);
  EXPECT_EQ(registry.AddCounter("segue_trigger_pushes_withheld_total", "").value(), 1u);
  EXPECT_EQ(registry.AddCounter("segue_trigger_pushes_total", "").value(), 1u);
  const std::string metrics = registry.RenderText();
  EXPECT_NE(metrics.find(R"(segue_experiment_triggers_total{experiment="push",arm="control",action="shadow"} 1)"),
            std::string::npos);
  (*push)->Stop();
}

}  // namespace
}  // namespace segue::serving
