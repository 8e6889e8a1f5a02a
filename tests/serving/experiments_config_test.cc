// [[experiments]] in the server's config file: read into ExperimentSpecs, errors naming the key.
#include <gtest/gtest.h>

#include <fstream>

#include "serving/server_config.h"
#include "tests/log/test_util.h"

namespace segue::serving {
namespace {

class ExperimentsConfigTest : public ::testing::Test {
 protected:
  Status Load(const std::string& text, ServerConfig* c) {
    const std::string path = dir_.path() + "/segue.toml";
    std::ofstream(path) << text;
    Status s = LoadServerConfig(path, c);
    if (!s.ok()) {
      const std::string prefix = path + ": ";
      EXPECT_EQ(s.message().rfind(prefix, 0), 0u) << s.message();
      return Status::InvalidArgument(s.message().substr(prefix.size()));
    }
    return s;
  }
  std::string Error(const std::string& text) {
    ServerConfig c;
    Status s = Load(text, &c);
    return s.ok() ? "ok" : s.message();
  }
  segue::testing::TempDir dir_;
};

TEST_F(ExperimentsConfigTest, ReadsExperimentsAndArms) {
  ServerConfig c;
  Status s = Load(R"(
[[experiments]]
id = "push-v1"
description = "shadow vs push"
horizon_ms = 300000
[[experiments.arms]]
name = "control"
kind = "shadow"
[[experiments.arms]]
name = "strict"
kind = "threshold"
threshold = 0.8
weight = 2

[[experiments]]
id = "off"
enabled = false
[[experiments.arms]]
name = "all"
)",
                  &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(c.experiments.size(), 2u);
  const experiments::ExperimentSpec& e = c.experiments[0];
  EXPECT_EQ(e.id, "push-v1");
  EXPECT_EQ(e.horizon_ms, 300000);
  ASSERT_EQ(e.arms.size(), 2u);
  EXPECT_EQ(e.arms[0].kind, experiments::ArmKind::kShadow);
  EXPECT_EQ(e.arms[1].weight, 2u);
  EXPECT_FLOAT_EQ(e.arms[1].threshold, 0.8f);
  EXPECT_FALSE(c.experiments[1].enabled);
  EXPECT_EQ(c.experiments[1].arms[0].kind, experiments::ArmKind::kTreatment);
  EXPECT_EQ(c.experiments[1].horizon_ms, experiments::kDefaultHorizonMs);
}

TEST_F(ExperimentsConfigTest, ErrorsNameTheKey) {
  EXPECT_EQ(Error("experiments = 3\n"), "experiments: must be an array of tables ([[experiments]])");
  EXPECT_EQ(Error("[[experiments]]\nid = \"a\"\ncolour = 1\n"), "experiments[0].colour: unknown key");
  EXPECT_EQ(Error("[[experiments]]\nid = \"a\"\n"), "experiments[0].arms: must have 1..16 arms");
  EXPECT_EQ(Error("[[experiments]]\nid = \"a\"\nhorizon_ms = 5\n"),
            "experiments[0].horizon_ms: must be in 1000..604800000, got 5");
  EXPECT_EQ(Error("[[experiments]]\nid = \"a\"\n[[experiments.arms]]\nname = \"x\"\nkind = \"magic\"\n"),
            "experiments[0].arms[0].kind: must be \"shadow\", \"treatment\", \"threshold\" or \"retriever\"");
  EXPECT_EQ(Error("[[experiments]]\nid = \"a\"\n[[experiments.arms]]\nname = \"x\"\nweight = \"2\"\n"),
            "experiments[0].arms[0].weight: must be an integer");
  EXPECT_EQ(Error("[[experiments]]\nid = \"a\"\n[[experiments.arms]]\nname = \"x\"\nkind = \"retriever\"\n"
                  "retriever = \"two_tower\"\n"),
            "experiments[0].arms[0].kind: \"retriever\" arms are not supported: the recommender serves every "
            "request with one retriever ([recommend] retriever), it cannot choose one per request");
  EXPECT_EQ(Error("[[experiments]]\nid = \"a\"\n[[experiments.arms]]\nname = \"x\"\n"
                  "[[experiments]]\nid = \"a\"\n[[experiments.arms]]\nname = \"y\"\n"),
            "experiments[1].id: \"a\" is defined twice");
  EXPECT_EQ(Error("[[experiments]]\n[[experiments.arms]]\nname = \"x\"\n"),
            "experiments[0].id: must be 1-64 characters of [A-Za-z0-9_-], got \"\"");
}

}  // namespace
}  // namespace segue::serving
