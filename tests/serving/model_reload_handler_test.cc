// POST /v1/admin/models/reload: only with the admin token; answers what each model component serves after
// checking its folder now: a newer disengagement or retrieval bundle is swapped in at once (not at the
// interval), a corrupt newest bundle is refused with the reason while the current model keeps serving.
#include "serving/model_reload_handler.h"

#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "../models/skip_burst_bundle.h"
#include "../models/tiny_retrieval_bundle.h"
#include "fake_server_host.h"
#include "models/retrieval_bundle.h"

namespace segue::serving {
namespace {

namespace fs = std::filesystem;

constexpr char kToken[] = "a-test-admin-token-of-32-bytes!!";

class ModelReloadHandlerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { bundle_ = new DisengagementBundle(segue::testing::TrainSkipBurstBundle(600, 200, 5, 1)); }
  static void TearDownTestSuite() { delete bundle_; }

  void SetUp() override {
    for (int i = 0; i < 30; ++i) {
      Track t;
      t.track_id = segue::testing::NumberedId("t", i);
      catalog_.Upsert(t);
    }
    recommend::RecommenderDeps deps;
    deps.catalog = &catalog_;
    deps.registry = &registry_;
    recommend_config_.retriever = "two_tower";
    recommend_config_.retrieval_models_dir = dir_.path() + "/retrieval";
    recommender_ = std::make_unique<recommend::Recommender>(recommend_config_, deps);
    scoring_config_.models_dir = dir_.path() + "/disengagement";
    SaveDisengagement("v0001");
    SaveRetrieval("v0001");
    scoring_ = std::make_unique<ScoringComponent>(scoring_config_, registry_);
    retrieval_ = std::make_unique<RetrievalModelComponent>(recommend_config_, &catalog_, &baselines_, recommender_.get());
    ASSERT_TRUE(retrieval_->Start().ok());
    Result<AdminAuth> auth = AdminAuth::FromToken(kToken);
    ASSERT_TRUE(auth.ok());
    host_.set_admin(std::move(*auth));
    handler_ = std::make_unique<ModelReloadHandler>(scoring_.get(), retrieval_.get());
    handler_->Register(host_);
  }

  void SaveDisengagement(const std::string& version) {
    ASSERT_TRUE(SaveBundle(*bundle_, scoring_config_.models_dir + "/" + version).ok());
  }
  void SaveRetrieval(const std::string& version) {
    ASSERT_TRUE(SaveRetrievalBundle(segue::testing::TinyRetrievalBundle(),
                                    recommend_config_.retrieval_models_dir + "/" + version).ok());
  }
  nlohmann::json Reload() {
    HttpResponse r = host_.Call(HttpMethod::kPost, "/v1/admin/models/reload", "", std::string("Bearer ") + kToken);
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body);
  }

  static DisengagementBundle* bundle_;
  segue::testing::TempDir dir_;
  Catalog catalog_;
  metrics::Registry registry_;
  recommend::RecommendConfig recommend_config_;
  ScoringConfig scoring_config_;
  recommend::RetrievalBaselines baselines_{&catalog_};
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<ScoringComponent> scoring_;
  std::unique_ptr<RetrievalModelComponent> retrieval_;
  testing::FakeServerHost host_;
  std::unique_ptr<ModelReloadHandler> handler_;
};

DisengagementBundle* ModelReloadHandlerTest::bundle_ = nullptr;

TEST_F(ModelReloadHandlerTest, OnlyWithTheAdminToken) {
  EXPECT_EQ(host_.Call(HttpMethod::kPost, "/v1/admin/models/reload").status, 401);
  EXPECT_EQ(host_.Call(HttpMethod::kPost, "/v1/admin/models/reload", "", "Bearer wrong").status, 401);
  testing::FakeServerHost without_admin;
  ModelReloadHandler(scoring_.get(), retrieval_.get()).Register(without_admin);
  EXPECT_EQ(without_admin.Call(HttpMethod::kPost, "/v1/admin/models/reload", "", std::string("Bearer ") + kToken).status,
            404)
      << "admin routes are off unless a token is configured";
}

TEST_F(ModelReloadHandlerTest, SwapsNewerBundlesInNow) {
  nlohmann::json j = Reload();
  EXPECT_EQ(j["disengagement"]["serving"], "v0001") << j.dump();
  EXPECT_EQ(j["disengagement"]["swapped"], false);
  EXPECT_EQ(j["retrieval"]["serving"], "two_tower/v0001") << j.dump();
  EXPECT_EQ(j["retrieval"]["swapped"], false);
  SaveDisengagement("v0002");
  SaveRetrieval("v0002");
  j = Reload();
  EXPECT_EQ(j["disengagement"]["serving"], "v0002") << j.dump();
  EXPECT_EQ(j["disengagement"]["swapped"], true);
  EXPECT_TRUE(j["disengagement"]["refused"].is_null());
  EXPECT_EQ(scoring_->scorer()->model_version(), "v0002");
  EXPECT_EQ(j["retrieval"]["serving"], "two_tower/v0002") << j.dump();
  EXPECT_EQ(j["retrieval"]["swapped"], true);
  EXPECT_TRUE(j["retrieval"]["refused"].is_null());
}

TEST_F(ModelReloadHandlerTest, ACorruptNewestBundleIsRefusedWithTheReason) {
  SaveDisengagement("v0002");
  SaveRetrieval("v0002");
  std::ofstream(scoring_config_.models_dir + "/v0002/weights.bin", std::ios::trunc) << "garbage";
  std::ofstream(recommend_config_.retrieval_models_dir + "/v0002/weights.bin", std::ios::trunc) << "garbage";
  const nlohmann::json j = Reload();
  EXPECT_EQ(j["disengagement"]["serving"], "v0001") << j.dump();
  EXPECT_EQ(j["disengagement"]["swapped"], false);
  ASSERT_TRUE(j["disengagement"]["refused"].is_string()) << j.dump();
  EXPECT_NE(j["disengagement"]["refused"].get<std::string>().find("v0002: "), std::string::npos);
  EXPECT_NE(j["disengagement"]["refused"].get<std::string>().find("weights.bin"), std::string::npos);
  EXPECT_EQ(j["retrieval"]["serving"], "two_tower/v0001") << j.dump();
  ASSERT_TRUE(j["retrieval"]["refused"].is_string()) << j.dump();
  EXPECT_NE(j["retrieval"]["refused"].get<std::string>().find("v0002: "), std::string::npos);
}

}  // namespace
}  // namespace segue::serving
