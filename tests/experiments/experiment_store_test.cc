#include "experiments/experiment_store.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/log/test_util.h"

namespace segue::experiments {
namespace {

ExperimentSpec Spec(std::string id, std::string description) {
  ExperimentSpec spec;
  spec.id = std::move(id);
  spec.description = std::move(description);
  spec.arms = {{"control", ArmKind::kShadow, 1, 0, ""}, {"treat", ArmKind::kTreatment, 1, 0, ""}};
  return spec;
}

TEST(ExperimentStoreTest, PutIsDurableAndReplacesById) {
  testing::TempDir dir;
  const std::string folder = dir.path() + "/experiments";
  {
    Result<ExperimentStore> store = ExperimentStore::Open(folder);
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_TRUE(store->stored().empty());
    ASSERT_TRUE(store->Put(Spec("b", "first")).ok());
    ASSERT_TRUE(store->Put(Spec("a", "")).ok());
    ASSERT_TRUE(store->Put(Spec("b", "second")).ok());
  }
  Result<ExperimentStore> reopened = ExperimentStore::Open(folder);
  ASSERT_TRUE(reopened.ok());
  const std::vector<ExperimentSpec> stored = reopened->stored();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].id, "a");
  EXPECT_EQ(stored[1].description, "second");
}

TEST(ExperimentStoreTest, DamagedFileIsRefusedNamingIt) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/experiments.json";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(R"({"experiments":[{"id":"x","arms":[{"name":"a","kind":"retriever"}]}]})", f);
  std::fclose(f);
  Result<ExperimentStore> store = ExperimentStore::Open(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
  EXPECT_NE(store.status().message().find(path + ": experiment \"x\": arms[0].kind"), std::string::npos);
}

TEST(ExperimentStoreTest, StoredExperimentsWinOverConfiguredOnes) {
  const std::vector<ExperimentSpec> merged =
      MergeExperiments({Spec("b", "file"), Spec("a", "file")}, {Spec("c", "put"), Spec("b", "put")});
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0].id, "b");
  EXPECT_EQ(merged[0].description, "put");
  EXPECT_EQ(merged[1].id, "a");
  EXPECT_EQ(merged[2].id, "c");
}

}  // namespace
}  // namespace segue::experiments
