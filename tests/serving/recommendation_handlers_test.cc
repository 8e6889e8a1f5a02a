#include "serving/preferences_handler.h"
#include "serving/recommendations_handler.h"

#include <future>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "session/session_tracker.h"
#include "tests/recommend/recommend_fakes.h"
#include "tests/serving/fake_server_host.h"
#include "tests/session/session_test_util.h"

namespace segue::serving {
namespace {

using recommend::testing::AddTracks;
using recommend::testing::Descending;
using recommend::testing::FakeRetriever;

class RecommendationHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ids_ = AddTracks(catalog_, {{"t0", "a0"}, {"t1", "a1"}, {"t2", "a2", true}, {"t3", "a3"}, {"t4", "a4"}});
    auto model = std::make_shared<FakeRetriever>("two_tower", Descending(ids_));
    recommend::RecommenderDeps deps{&catalog_, nullptr,
                                    std::make_shared<FakeRetriever>("global_popular", Descending({ids_[4]})),
                                    nullptr, &prefs_, nullptr, &registry_};
    recommender_ = std::make_unique<recommend::Recommender>(recommend::RecommendConfig{}, deps);
    recommender_->SetModel({model, nullptr, nullptr, {{"retriever", "two_tower:v1"}}});
    recs_ = std::make_unique<RecommendationsHandler>(recommender_.get(), &sessions_);
    recs_->Register(host_);
    prefs_handler_.Register(host_);
    tracker_.Apply(segue::testing::Ev(EventType::kPlay, 0, "t0"), 1);  // u1 is playing t0
  }

  HttpResponse Call(HttpMethod method, std::string target, std::string body = "") {
    return host_.Call(method, std::move(target), std::move(body));
  }
  HttpResponse Get(std::string target) { return Call(HttpMethod::kGet, std::move(target)); }

  // The 400's message, which must name `what`.
  void ExpectBadRequest(const std::string& target, const std::string& what) {
    HttpResponse r = Get(target);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_NE(nlohmann::json::parse(r.body)["error"].get<std::string>().find(what), std::string::npos)
        << target << ": " << r.body;
  }

  metrics::Registry registry_;
  Catalog catalog_;
  SessionTracker tracker_{&catalog_};
  TrackerListenerState sessions_{&tracker_, nullptr};
  std::vector<uint32_t> ids_;
  recommend::testing::MemoryPreferences prefs_;
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<RecommendationsHandler> recs_;
  PreferencesHandler prefs_handler_{&prefs_};
  testing::FakeServerHost host_;
};

TEST_F(RecommendationHandlersTest, RecommendationsHaveTheDocumentedShape) {
  HttpResponse r = Get("/v1/users/u1/recommendations?k=2&explain=true");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["rec_id"].get<std::string>().size(), 32u);
  ASSERT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["items"][0]["track_id"], "t1");  // t0 is playing in the session
  EXPECT_TRUE(j["items"][0]["score"].is_number());
  EXPECT_EQ(j["items"][0]["reasons"], nlohmann::json::array({"matches what you are listening to"}));
  EXPECT_EQ(j["source"], "model");
  EXPECT_EQ(j["served_by"], "two_tower");
  EXPECT_EQ(j["model_versions"], (nlohmann::json{{"retriever", "two_tower:v1"}, {"ranker", "pass_through"}}));
  EXPECT_TRUE(j["took_ms"].is_number());

  j = nlohmann::json::parse(Get("/v1/users/u1/recommendations").body);
  EXPECT_EQ(j["items"].size(), 4u);  // default k=10, five tracks, one played
  EXPECT_FALSE(j["items"][0].contains("reasons"));
}

TEST_F(RecommendationHandlersTest, QueryParametersOverrideTheFilterDefaults) {
  auto j = nlohmann::json::parse(Get("/v1/users/u1/recommendations?exclude_session=false&k=1").body);
  EXPECT_EQ(j["items"][0]["track_id"], "t0");
}

TEST_F(RecommendationHandlersTest, TheListenersHistoryComesFromTheLookup) {
  const uint32_t t1 = ids_[1];
  RecommendationsHandler with_history(recommender_.get(), &sessions_, [t1](std::string_view user) {
    std::optional<recommend::ListenerHistory> h;
    if (user == "u1") h = recommend::ListenerHistory{{{t1, 1, 1, 0, NowMs() - 3600 * 1000}}};
    return h;
  });
  HttpRequest r;
  r.target = "/v1/users/u1/recommendations?k=1&exclude_played_hours=2";
  std::promise<HttpResponse> p;
  with_history.Handle(std::move(r), {"u1"}, [&](HttpResponse resp) { p.set_value(std::move(resp)); });
  auto j = nlohmann::json::parse(p.get_future().get().body);
  EXPECT_EQ(j["items"][0]["track_id"], "t2");  // t0 in the session, t1 an hour ago
}

TEST_F(RecommendationHandlersTest, AnUnknownListenerGetsTheColdStartList) {
  HttpResponse r = Get("/v1/users/nobody/recommendations");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["source"], "fallback:cold_start");
  EXPECT_EQ(j["items"][0]["track_id"], "t4");
}

TEST_F(RecommendationHandlersTest, BadInputIsA400NamingTheParameter) {
  ExpectBadRequest("/v1/users/u1/recommendations?k=0", "k:");
  ExpectBadRequest("/v1/users/u1/recommendations?k=101", "k: must be an integer in 1..100");
  ExpectBadRequest("/v1/users/u1/recommendations?k=ten", "k:");
  ExpectBadRequest("/v1/users/u1/recommendations?k=1&k=2", "k: given more than once");
  ExpectBadRequest("/v1/users/u1/recommendations?explain=maybe", "explain:");
  ExpectBadRequest("/v1/users/u1/recommendations?colour=blue", "colour: unknown parameter");
  ExpectBadRequest("/v1/users/u1/recommendations?diversity=zigzag", "diversity: must be none, artist_cap or mmr");
  ExpectBadRequest("/v1/users/u1/recommendations?mmr_lambda=2", "mmr_lambda:");
  ExpectBadRequest("/v1/users/u1/recommendations?exclude_played_hours=-1", "exclude_played_hours:");
  ExpectBadRequest("/v1/users/u1/recommendations?k=%zz", "invalid percent-encoding");
  ExpectBadRequest("/v1/users/" + std::string(129, 'x') + "/recommendations", "user id");
  ExpectBadRequest("/v1/users/u%011/recommendations", "user id");
}

TEST_F(RecommendationHandlersTest, PreferencesArePutReadAndHonoured) {
  EXPECT_EQ(Get("/v1/users/u1/preferences").body, R"({"explicit":true})");
  HttpResponse put = Call(HttpMethod::kPut, "/v1/users/u1/preferences", R"({"explicit": false})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body, R"({"explicit":false})");
  EXPECT_EQ(Get("/v1/users/u1/preferences").body, R"({"explicit":false})");
  auto j = nlohmann::json::parse(Get("/v1/users/u1/recommendations").body);
  for (const auto& item : j["items"]) EXPECT_NE(item["track_id"], "t2");  // explicit
  EXPECT_EQ(j["items"].size(), 3u);
}

TEST_F(RecommendationHandlersTest, BadPreferencesAreA400NamingTheField) {
  HttpResponse r = Call(HttpMethod::kPut, "/v1/users/u1/preferences", R"({"explicit": false, "colour": 1})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("colour: unknown field"), std::string::npos) << r.body;
  r = Call(HttpMethod::kPut, "/v1/users/u1/preferences", R"({"explicit": "no"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("explicit: must be true or false"), std::string::npos) << r.body;
  EXPECT_EQ(Call(HttpMethod::kPut, "/v1/users/u1/preferences", "explicit=false").status, 400);
  EXPECT_EQ(Get("/v1/users/u1/preferences").body, R"({"explicit":true})");  // nothing stored
}

}  // namespace
}  // namespace segue::serving
