// RetrievalModelComponent: which retriever the recommender's model stage uses, loading the newest
// two-tower bundle, swapping in a newer one while serving, and keeping the current model when a newer
// bundle is corrupt (or when there is none: the blend serves); tracks posted through POST /v1/tracks reach
// the served index, those the catalog held at start-up are embedded at load, and a swap keeps them.
#include "serving/retrieval_model_component.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "../log/test_util.h"
#include "../models/tiny_retrieval_bundle.h"
#include "fake_server_host.h"
#include "log/event_log.h"
#include "models/retrieval_bundle.h"
#include "serving/tracks_handler.h"
#include "recommend/ranker_bundle.h"
#include "recommend/ranker_features.h"

namespace segue::serving {
namespace {

namespace fs = std::filesystem;

class RetrievalModelComponentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 30; ++i) {
      Track t;
      t.track_id = segue::testing::NumberedId("t", i);
      t.artist = segue::testing::NumberedId("a", i % 4);
      catalog_.Upsert(t);
    }
    recommend::RecommenderDeps deps;
    deps.catalog = &catalog_;
    deps.registry = &registry_;
    recommender_ = std::make_unique<recommend::Recommender>(config_, deps);
    // Another listener's session of completed plays t0..t4, so every baseline has something to propose.
    SessionState other;
    other.user_id = "o1";
    other.start_ms = 1'700'000'000'000;
    for (int i = 0; i < 5; ++i) {
      other.plays.push_back(Completed(segue::testing::NumberedId("t", i)));
      baselines_.ObservePlay(other, other.plays.back());
    }
    session_.user_id = "u1";
    session_.plays = {Completed("t0")};
    session_.start_ms = 1'700'000'000'000;
    session_.last_event_ms = session_.start_ms;
  }

  PlayRecord Completed(const std::string& track) {
    PlayRecord play;
    play.track = catalog_.FindTrack(track);
    play.end = PlayEnd::kCompleted;
    play.dwell_ms = play.duration_ms = 200'000;
    return play;
  }
  void SaveBundle(const std::string& version) {
    ASSERT_TRUE(SaveRetrievalBundle(segue::testing::TinyRetrievalBundle(), dir_.path() + "/" + version).ok());
  }
  // What served a fresh request: "source served_by retriever-version".
  std::string Served() {
    recommend::RecommendRequest r;
    r.user_id = "u1";
    r.session = &session_;
    r.now_ms = session_.start_ms;
    r.k = 5;
    ++session_.last_seq;  // a new session version: never a cache hit
    recommend::Recommendation rec = recommender_->Recommend(r);
    std::string retriever;
    for (const auto& [component, version] : rec.model_versions) {
      if (component == "retriever") retriever = version;
    }
    return rec.source + " " + rec.served_by + " " + retriever;
  }

  segue::testing::TempDir dir_;
  Catalog catalog_;
  recommend::RecommendConfig config_;
  metrics::Registry registry_;
  recommend::RetrievalBaselines baselines_{&catalog_};
  std::unique_ptr<recommend::Recommender> recommender_;
  SessionState session_;
};

TEST_F(RetrievalModelComponentTest, ServesTheConfiguredBaseline) {
  RetrievalModelComponent blend(config_, &catalog_, &baselines_, recommender_.get());
  blend.Start();
  std::string served = Served();
  EXPECT_EQ(served.substr(served.rfind(' ') + 1), "blend") << served;
  config_.retriever = "session_knn";
  RetrievalModelComponent knn(config_, &catalog_, &baselines_, recommender_.get());
  knn.Start();
  served = Served();
  EXPECT_EQ(served.substr(served.rfind(' ') + 1), "session_knn") << served;
}

TEST_F(RetrievalModelComponentTest, TheXgboostRankerLoadsAtStartOrStartFails) {
  config_.ranker = "xgboost";
  config_.ranker_dir = dir_.path() + "/ranker/v1";
  RetrievalModelComponent missing(config_, &catalog_, &baselines_, recommender_.get());
  Status s = missing.Start();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("recommend.ranker_dir"), std::string::npos) << s.message();

  std::vector<float> rows(2 * recommend::kRankerFeatureCount, 0.f);
  rows[recommend::kRankerFeatureCount] = 1.f;
  const std::vector<uint8_t> labels = {0, 1};
  XgbParams params;
  params.rounds = 2;
  Result<XgbBooster> booster = XgbBooster::Fit({rows.data(), 2, recommend::kRankerFeatureCount}, labels, params);
  ASSERT_TRUE(booster.ok()) << booster.status().message();
  ASSERT_TRUE(recommend::WriteRankerBundle(config_.ranker_dir, *booster, 0.8, nlohmann::json::object()).ok());
  config_.ranker = "auto";  // the default: xgboost, because ranker_dir names a bundle
  RetrievalModelComponent loaded(config_, &catalog_, &baselines_, recommender_.get());
  ASSERT_TRUE(loaded.Start().ok());
  recommend::RecommendRequest r;
  r.user_id = "u1";
  r.session = &session_;
  r.now_ms = session_.start_ms;
  const recommend::Recommendation rec = recommender_->Recommend(r);
  EXPECT_EQ(rec.source, "model");
  const auto& v = rec.model_versions;
  EXPECT_NE(std::find(v.begin(), v.end(), std::pair<std::string, std::string>{"ranker", "xgboost"}), v.end());
  EXPECT_NE(std::find(v.begin(), v.end(), std::pair<std::string, std::string>{"ranker_model", "xgboost/v1"}), v.end());
}

TEST_F(RetrievalModelComponentTest, LoadsTheNewestTwoTowerAndSwapsOnlyValidNewerBundles) {
  config_.retriever = "two_tower";
  config_.retrieval_models_dir = dir_.path();
  RetrievalModelComponent component(config_, &catalog_, &baselines_, recommender_.get());
  component.Start();  // no bundle yet: the blend serves
  const std::string before = Served();
  EXPECT_EQ(before.substr(before.rfind(' ') + 1), "blend") << before;
  testing::FakeServerHost host;
  component.Register(host);

  SaveBundle("v1");
  host.RunTasks();
  EXPECT_EQ(Served(), "model two_tower two_tower/v1");

  // A newer bundle whose weights are damaged: logged, v1 keeps serving.
  SaveBundle("v2");
  std::ofstream(dir_.path() + "/v2/weights.bin", std::ios::trunc) << "not weights";
  host.RunTasks();
  EXPECT_EQ(Served(), "model two_tower two_tower/v1");
  host.RunTasks();  // refused once, not reloaded at every check
  EXPECT_NE(host.registry().RenderText().find("segue_retrieval_models_refused_total 1\n"), std::string::npos)
      << host.registry().RenderText();

  SaveBundle("v3");
  host.RunTasks();
  EXPECT_EQ(Served(), "model two_tower two_tower/v3");
}

// POSTs one track and waits until the indexer took it.
void PostTrack(TracksHandler& handler, RetrievalModelComponent& component, const std::string& json) {
  HttpRequest r;
  r.method = HttpMethod::kPost;
  r.target = "/v1/tracks";
  r.content_type = "application/json";
  r.body = "[" + json + "]";
  int status = 0;
  handler.HandlePost(std::move(r), {}, [&](HttpResponse resp) { status = resp.status; });
  EXPECT_EQ(status, 200);
  component.track_indexer().Flush();
}

TEST_F(RetrievalModelComponentTest, PostedTracksReachTheServedIndexAtLoadAndAcrossSwaps) {
  config_.retriever = "two_tower";
  config_.retrieval_models_dir = dir_.path();
  SaveBundle("v1");
  Track stored;  // in the catalog at start-up (persisted by an earlier process), not in the bundle
  stored.track_id = "n0";
  catalog_.Upsert(stored);
  RetrievalModelComponent component(config_, &catalog_, &baselines_, recommender_.get());
  component.Start();
  EXPECT_EQ(Served(), "model two_tower two_tower/v1");
  testing::FakeServerHost host;
  component.Register(host);
  segue::testing::TempDir log_dir;
  EventLogOptions options;
  options.dir = log_dir.path();
  options.sync = false;
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(options);
  ASSERT_TRUE(log.ok()) << log.status().message();
  TracksHandler handler(&catalog_, log->get(), TrackLimits{}, &component.track_indexer());

  PostTrack(handler, component, R"({"id": "n1", "artist": "x"})");
  EXPECT_EQ(component.track_indexer().inserted(), 1u);
  // n0 was embedded at load: its update replaces a vector.
  PostTrack(handler, component, R"({"id": "n0", "artist": "y"})");
  EXPECT_EQ(component.track_indexer().replaced(), 1u);

  // v2 was trained without n0 and n1: once it serves, both are in its index (updates replace).
  SaveBundle("v2");
  host.RunTasks();
  EXPECT_EQ(Served(), "model two_tower two_tower/v2");
  PostTrack(handler, component, R"({"id": "n1", "artist": "z"})");
  PostTrack(handler, component, R"({"id": "n0", "artist": "z"})");
  EXPECT_EQ(component.track_indexer().inserted(), 1u);
  EXPECT_EQ(component.track_indexer().replaced(), 3u);
  EXPECT_NE(host.registry().RenderText().find("segue_track_index_replaced_total 3"), std::string::npos);
  (*log)->Close();
}

}  // namespace
}  // namespace segue::serving
