// Periodic retraining's pieces that need no child process: the verdict of a run from `segue train all`'s
// exit code and --json report, and the child's command line.
#include "serving/retrain_component.h"

#include <gtest/gtest.h>

namespace segue::serving {
namespace {

TEST(RetrainComponentTest, AnyPromotedModelMakesThePromotedVerdict) {
  const RetrainVerdict v = ClassifyRetrainRun(
      0, R"({"disengagement":{"version":"v0004","result":"refused","reason":"roc_auc 0.6 < current v0003's 0.7"},)"
         R"("retrieval":{"version":"v0004","result":"promoted","reason":"recall@50 0.5 >= current v0003's 0.5"}})");
  EXPECT_EQ(v.result, "promoted");
  EXPECT_EQ(v.summary,
            "disengagement v0004 refused (roc_auc 0.6 < current v0003's 0.7); retrieval v0004 promoted (recall@50 0.5 "
            ">= current v0003's 0.5)");
}

TEST(RetrainComponentTest, AllRefusedIsRefusedAndAnythingElseFailed) {
  EXPECT_EQ(ClassifyRetrainRun(0, R"({"retrieval":{"version":"v2","result":"refused","reason":"worse"}})").result, "refused");
  EXPECT_EQ(ClassifyRetrainRun(1, "").result, "failed");
  EXPECT_EQ(ClassifyRetrainRun(-1, "").summary, "segue train all exited with status -1");
  EXPECT_EQ(ClassifyRetrainRun(0, "not json").result, "failed");
  EXPECT_EQ(ClassifyRetrainRun(0, "{}").result, "failed");
}

TEST(RetrainComponentTest, TheChildTrainsTheConfiguredModelsWithOneThread) {
  RetrainOptions options;
  options.interval_ms = 1000;
  options.extra_args = {"--epochs", "2"};
  RetrainComponent retrain(options, "/bin/segue", "/data", "/m", "", nullptr);
  EXPECT_EQ(retrain.Arguments(), (std::vector<std::string>{"train", "all", "--data-dir", "/data", "--threads", "1",
                                                           "--json", "--models", "/m", "--epochs", "2"}));
}

}  // namespace
}  // namespace segue::serving
