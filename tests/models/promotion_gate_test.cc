// The promotion gate's decision (a worse candidate is refused, an equal or better one promoted, undefined
// metrics handled), version naming, and the moves into place or into refused/ with REFUSED.json.
#include "models/promotion_gate.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace segue {
namespace {

namespace fs = std::filesystem;

GateMetric Metric(double candidate, std::optional<double> current) {
  GateMetric m;
  m.name = "roc_auc";
  m.candidate = candidate;
  m.current = current;
  m.current_version = "v0001";
  m.examples = 100;
  return m;
}

TEST(PromotionGateTest, RefusesAWorseCandidateAndPromotesAnEqualOrBetterOne) {
  EXPECT_FALSE(DecidePromotion(Metric(0.70, 0.71)).promote);
  EXPECT_TRUE(DecidePromotion(Metric(0.71, 0.71)).promote) << "equal is good enough";
  EXPECT_TRUE(DecidePromotion(Metric(0.72, 0.71)).promote);
  const GateDecision refused = DecidePromotion(Metric(0.70, 0.71));
  EXPECT_NE(refused.reason.find("0.7000 < current v0001's 0.7100"), std::string::npos) << refused.reason;
}

TEST(PromotionGateTest, UndefinedMetrics) {
  EXPECT_TRUE(DecidePromotion(Metric(0.6, std::nullopt)).promote) << "first version";
  EXPECT_TRUE(DecidePromotion(Metric(0.6, NAN)).promote) << "a current bundle that cannot be measured";
  EXPECT_FALSE(DecidePromotion(Metric(NAN, 0.6)).promote);
  EXPECT_FALSE(DecidePromotion(Metric(NAN, std::nullopt)).promote);
}

class PromotionFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_promotion_gate_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // A folder that FindNewestBundle takes for a bundle.
  void MakeBundle(const fs::path& path) {
    fs::create_directories(path);
    std::ofstream(path / "config.json") << "{}";
  }
  std::string models() const { return dir_.string(); }
  fs::path dir_;
};

TEST_F(PromotionFolderTest, NextVersionIsAboveEveryVersionIncludingRefusedAndCandidates) {
  EXPECT_EQ(*NextBundleVersion(models()), "v0001");
  MakeBundle(dir_ / "v0002");
  EXPECT_EQ(*NextBundleVersion(models()), "v0003");
  MakeBundle(dir_ / kRefusedSubdir / "v0007");
  EXPECT_EQ(*NextBundleVersion(models()), "v0008");
  fs::create_directories(dir_ / kCandidatesSubdir / "v0011");
  EXPECT_EQ(*NextBundleVersion(models()), "v0012");
  MakeBundle(dir_ / "x1");  // would stay the newest in natural order
  EXPECT_FALSE(NextBundleVersion(models()).ok());
}

TEST_F(PromotionFolderTest, PromotionMovesTheCandidateIntoPlace) {
  MakeBundle(CandidatePath(models(), "v0001"));
  Result<std::string> path = ApplyPromotion(models(), "v0001", Metric(0.7, std::nullopt), {true, "first"});
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(fs::path(*path), dir_ / "v0001");
  EXPECT_TRUE(fs::exists(dir_ / "v0001" / "config.json"));
  EXPECT_FALSE(fs::exists(dir_ / "v0001" / "REFUSED.json"));
  EXPECT_FALSE(fs::exists(CandidatePath(models(), "v0001")));
}

TEST_F(PromotionFolderTest, ARefusedCandidateIsKeptWithItsReasonAndNeverServed) {
  MakeBundle(dir_ / "v0001");
  MakeBundle(CandidatePath(models(), "v0002"));
  const GateMetric metric = Metric(0.6, 0.7);
  Result<std::string> path = ApplyPromotion(models(), "v0002", metric, DecidePromotion(metric));
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(fs::path(*path), dir_ / kRefusedSubdir / "v0002");
  std::ifstream in(dir_ / kRefusedSubdir / "v0002" / "REFUSED.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("metric"), "roc_auc");
  EXPECT_DOUBLE_EQ(j.at("candidate").get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(j.at("current").get<double>(), 0.7);
  EXPECT_EQ(j.at("current_version"), "v0001");
  EXPECT_NE(j.at("reason").get<std::string>().find("<"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "v0002"));
  EXPECT_EQ(*NextBundleVersion(models()), "v0003");
}

}  // namespace
}  // namespace segue
