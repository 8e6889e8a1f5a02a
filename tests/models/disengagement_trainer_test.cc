#include "models/disengagement_trainer.h"

#include <gtest/gtest.h>

#include "features/session_features.h"
#include "models/incremental_encoder.h"
#include "models/metrics.h"
#include "synthetic_features.h"

namespace segue {
namespace {

using testing::MakeSkipBurstSet;

TrainOptions SmallOptions() {
  TrainOptions o;
  o.max_epochs = 8;
  o.patience = 2;
  o.batch_size = 128;
  return o;
}

// The signal ("3 of the last 5 plays skipped") lives only in the sequence; the trailing-skips heuristic
// sees part of it. The Transformer must find it and clearly beat the heuristic on held-out data.
TEST(DisengagementTrainer, LearnsASequenceSignalAboveTheHeuristic) {
  auto train = MakeSkipBurstSet(6000, 1);
  auto valid = MakeSkipBurstSet(1500, 2);
  auto test = MakeSkipBurstSet(3000, 3);
  std::vector<EpochReport> seen;
  TrainOptions options = SmallOptions();
  options.on_epoch = [&](const EpochReport& r) { seen.push_back(r); };
  auto result = TrainDisengagementTransformer(train.x, train.y, valid.x, valid.y, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(seen.size(), result->history.size());
  ASSERT_GE(result->best_epoch, 1);
  ASSERT_EQ(result->valid_scores.size(), valid.x.size());

  auto encoder = IncrementalEncoder::Create(result->architecture, result->weights);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  std::vector<float> model_scores, heuristic_scores;
  for (const FeatureVector& fv : test.x) {
    model_scores.push_back((*encoder)->ScoreFresh(fv));
    heuristic_scores.push_back(static_cast<float>(TrailingSkips(fv)));
  }
  const double model_auc = RocAuc(model_scores, test.y);
  const double heuristic_auc = RocAuc(heuristic_scores, test.y);
  EXPECT_GT(model_auc, 0.8) << "heuristic " << heuristic_auc;
  EXPECT_GT(model_auc, heuristic_auc + 0.03) << "model " << model_auc << " heuristic " << heuristic_auc;

  // The output bias was shifted back by log(pos_weight): mean probability ~ the base rate.
  double mean = 0, base = 0;
  for (size_t i = 0; i < test.x.size(); ++i) {
    mean += model_scores[i];
    base += test.y[i];
  }
  EXPECT_NEAR(mean / static_cast<double>(test.x.size()), base / static_cast<double>(test.x.size()), 0.05);
}

TEST(DisengagementTrainer, IsDeterministicForASeed) {
  auto train = MakeSkipBurstSet(1200, 4);
  auto valid = MakeSkipBurstSet(400, 5);
  TrainOptions options = SmallOptions();
  options.max_epochs = 2;
  auto a = TrainDisengagementTransformer(train.x, train.y, valid.x, valid.y, options);
  auto b = TrainDisengagementTransformer(train.x, train.y, valid.x, valid.y, options);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->weights.tensors().size(), b->weights.tensors().size());
  for (size_t i = 0; i < a->weights.tensors().size(); ++i) {
    EXPECT_EQ(a->weights.tensors()[i].data, b->weights.tensors()[i].data) << a->weights.tensors()[i].name;
  }
  EXPECT_EQ(a->valid_scores, b->valid_scores);
}

TEST(DisengagementTrainer, RejectsUnusableInput) {
  auto set = MakeSkipBurstSet(50, 6);
  std::vector<uint8_t> negatives(set.y.size(), 0);
  auto r = TrainDisengagementTransformer(set.x, set.y, set.x, negatives, SmallOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("validation set"), std::string::npos) << r.status().ToString();
  std::vector<uint8_t> short_labels(set.y.begin(), set.y.end() - 1);
  r = TrainDisengagementTransformer(set.x, short_labels, set.x, set.y, SmallOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("labels"), std::string::npos);
  TrainOptions bad = SmallOptions();
  bad.architecture.heads = 5;
  EXPECT_FALSE(TrainDisengagementTransformer(set.x, set.y, set.x, set.y, bad).ok());
}

}  // namespace
}  // namespace segue
