#include "experiments/experiment_json.h"

#include <gtest/gtest.h>

namespace segue::experiments {
namespace {

std::string Error(std::string_view body, std::string_view id = "exp") {
  Result<ExperimentSpec> r = ParseExperiment(body, id);
  return r.ok() ? "ok" : r.status().message();
}

TEST(ExperimentSpecTest, ParsesDefaultsAndRoundTrips) {
  Result<ExperimentSpec> spec = ParseExperiment(
      R"({"description":"d","arms":[{"name":"control","kind":"shadow"},{"name":"hi","kind":"threshold","threshold":0.8,"weight":3}]})",
      "exp");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_TRUE(spec->enabled);
  EXPECT_EQ(spec->horizon_ms, kDefaultHorizonMs);
  EXPECT_EQ(spec->arms[0].weight, 1u);
  EXPECT_EQ(spec->arms[1].kind, ArmKind::kThreshold);
  EXPECT_EQ(ShadowArm(*spec), 0u);
  Result<ExperimentSpec> again = ExperimentFromJson(ExperimentToJson(*spec), "exp");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *spec);
}

TEST(ExperimentSpecTest, ErrorsNameTheField) {
  EXPECT_EQ(Error("{"), "the body is not valid JSON");
  EXPECT_EQ(Error(R"({"arms":[]})"), "arms: must have 1..16 arms");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a"}],"colour":1})"), "colour: unknown field");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a","weight":-1}]})"), "arms[0].weight: must be a non-negative integer");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a","kind":"magic"}]})"),
            "arms[0].kind: must be \"shadow\", \"treatment\", \"threshold\" or \"retriever\"");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a"},{"name":"a"}]})"), "arms[1].name: \"a\" names two arms");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a","kind":"shadow"},{"name":"b","kind":"shadow"}]})"),
            "arms[1].kind: at most one \"shadow\" arm (the baseline of the comparison)");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a","weight":0}]})"), "arms: the weights sum to 0");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a","kind":"threshold"}]})"),
            "arms[0].threshold: a \"threshold\" arm needs a threshold in (0, 1]");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a","threshold":0.5}]})"), "arms[0].threshold: only for kind \"threshold\"");
  EXPECT_EQ(Error(R"({"horizon_ms":5,"arms":[{"name":"a"}]})"), "horizon_ms: must be in 1000..604800000, got 5");
  EXPECT_EQ(Error(R"({"id":"other","arms":[{"name":"a"}]})"), "id: \"other\" differs from the path's \"exp\"");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a"}]})", "bad id!"),
            "id: must be 1-64 characters of [A-Za-z0-9_-], got \"bad id!\"");
  EXPECT_EQ(Error(R"({"arms":[{"name":"a b"}]})"),
            "arms[0].name: must be 1-64 characters of [A-Za-z0-9_-], got \"a b\"");
}

TEST(ExperimentSpecTest, RetrieverArmsAreRefusedWithTheReason) {
  EXPECT_EQ(Error(R"({"arms":[{"name":"tt","kind":"retriever","retriever":"two_tower"}]})"),
            "arms[0].kind: \"retriever\" arms are not supported: the recommender serves every request with one "
            "retriever ([recommend] retriever), it cannot choose one per request");
}

}  // namespace
}  // namespace segue::experiments
