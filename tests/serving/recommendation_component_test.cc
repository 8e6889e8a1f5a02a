#include "serving/recommendation_component.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "session/session_tracker.h"
#include "tests/log/test_util.h"
#include "tests/recommend/recommend_fakes.h"
#include "tests/serving/fake_server_host.h"

namespace segue::serving {
namespace {

// The component as the server wires it: stores in the data dir, routes on the host, the model set later;
// preferences survive a restart and every response to a GET is an impression on disk (a HEAD is not).
TEST(RecommendationComponentTest, ServesStoresPreferencesAndRecordsImpressionsInTheDataDir) {
  segue::testing::TempDir dir;
  Catalog catalog;
  SessionTracker tracker(&catalog);
  TrackerListenerState sessions(&tracker, nullptr);
  auto ids = recommend::testing::AddTracks(catalog, {{"t0", "a0", true}, {"t1", "a1"}, {"t2", "a2"}});
  std::string rec_id;
  {
    testing::FakeServerHost host;
    RecommendationDeps deps{&catalog, &sessions, nullptr,
                            std::make_shared<recommend::testing::FakeRetriever>("global_popular",
                                                                                recommend::testing::Descending(ids)),
                            nullptr, {}};
    auto component = RecommendationComponent::Open(recommend::RecommendConfig{}, dir.path(), deps, host.registry());
    ASSERT_TRUE(component.ok()) << component.status().ToString();
    (*component)->Register(host);
    ASSERT_EQ(host.Call(HttpMethod::kPut, "/v1/users/u1/preferences", R"({"explicit":false})").status, 200);
    // A HEAD is answered (the GET route serves it) but shows nothing: it is not an impression.
    ASSERT_EQ(host.Call(HttpMethod::kHead, "/v1/users/u1/recommendations?k=5").status, 200);
    HttpResponse r = host.Call(HttpMethod::kGet, "/v1/users/u1/recommendations?k=5");
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["source"], "fallback:cold_start");
    ASSERT_EQ(j["items"].size(), 2u);  // t0 is explicit
    EXPECT_EQ(j["items"][0]["track_id"], "t1");
    rec_id = j["rec_id"];
    EXPECT_NE(host.registry().RenderText().find("segue_recommendations_total{source=\"fallback:cold_start\""),
              std::string::npos);
  }
  // Restarted: the preference is still there, and the impression was written.
  testing::FakeServerHost host;
  auto component = RecommendationComponent::Open(recommend::RecommendConfig{}, dir.path(),
                                                 RecommendationDeps{&catalog, &sessions, nullptr, nullptr, nullptr, {}},
                                                 host.registry());
  ASSERT_TRUE(component.ok()) << component.status().ToString();
  (*component)->Register(host);
  EXPECT_EQ(host.Call(HttpMethod::kGet, "/v1/users/u1/preferences").body, R"({"explicit":false})");
  std::vector<nlohmann::json> shown;
  component->reset();  // closes the impression store so it can be read
  ASSERT_TRUE(impressions::ImpressionStore::ExportAll(dir.path() + "/impressions", [&](std::string_view json) {
                shown.push_back(nlohmann::json::parse(json));
                return true;
              }).ok());
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["rec_id"], rec_id);
  EXPECT_EQ(shown[0]["user_id"], "u1");
  EXPECT_EQ(shown[0]["items"].size(), 2u);
}

TEST(RecommendationComponentTest, AStoreThatCannotBeOpenedIsAClearError) {
  metrics::Registry registry;
  Catalog catalog;
  SessionTracker tracker(&catalog);
  TrackerListenerState sessions(&tracker, nullptr);
  auto component = RecommendationComponent::Open(recommend::RecommendConfig{}, "/proc/segue-nowhere",
                                                 RecommendationDeps{&catalog, &sessions, nullptr, nullptr, nullptr, {}}, registry);
  ASSERT_FALSE(component.ok());
  EXPECT_NE(component.status().message().find("/proc/segue-nowhere/preferences"), std::string::npos)
      << component.status().message();
}

}  // namespace
}  // namespace segue::serving
