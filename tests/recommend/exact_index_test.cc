#include "recommend/exact_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tests/log/test_util.h"

namespace segue::recommend {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// Four 2-d vectors with known inner products against (1, 0) and (0, 1).
void AddHandMade(ExactIndex* index) {
  const std::vector<float> x = {1, 0, 0, 1, 0.6f, 0.8f, -1, 0};
  const std::vector<uint64_t> labels = {10, 20, 30, 40};
  ASSERT_TRUE(index->Add(4, x.data(), labels.data()).ok());
}

TEST(ExactIndexTest, ReturnsTheBestInnerProductsBestFirst) {
  ExactIndex index(2);
  AddHandMade(&index);
  const std::vector<float> q = {1, 0, 0, 1};
  std::vector<uint64_t> labels(6);
  std::vector<float> scores(6);
  ASSERT_TRUE(index.Search(2, q.data(), 3, labels.data(), scores.data()).ok());
  EXPECT_EQ(labels, (std::vector<uint64_t>{10, 30, 20, 20, 30, 10}));
  EXPECT_FLOAT_EQ(scores[0], 1.0f);
  EXPECT_FLOAT_EQ(scores[1], 0.6f);
  EXPECT_FLOAT_EQ(scores[2], 0.0f);
  EXPECT_FLOAT_EQ(scores[3], 1.0f);
  EXPECT_FLOAT_EQ(scores[4], 0.8f);
  EXPECT_FLOAT_EQ(scores[5], 0.0f);
}

TEST(ExactIndexTest, PadsRowsBeyondItsSizeWithNoLabel) {
  ExactIndex index(2);
  AddHandMade(&index);
  const std::vector<float> q = {1, 0};
  std::vector<uint64_t> labels(6);
  std::vector<float> scores(6);
  ASSERT_TRUE(index.Search(1, q.data(), 6, labels.data(), scores.data()).ok());
  EXPECT_EQ(labels, (std::vector<uint64_t>{10, 30, 20, 40, kNoLabel, kNoLabel}));
  EXPECT_FLOAT_EQ(scores[3], -1.0f);
  EXPECT_EQ(scores[4], -kInf);
  EXPECT_EQ(scores[5], -kInf);

  ExactIndex empty(2);
  ASSERT_TRUE(empty.Search(1, q.data(), 2, labels.data(), scores.data()).ok());
  EXPECT_EQ(labels[0], kNoLabel);
  EXPECT_EQ(labels[1], kNoLabel);
}

TEST(ExactIndexTest, AddingAHeldLabelReplacesItsVector) {
  ExactIndex index(2);
  AddHandMade(&index);
  const std::vector<float> v = {-1, 0};
  const uint64_t label = 10;
  ASSERT_TRUE(index.Add(1, v.data(), &label).ok());
  EXPECT_EQ(index.size(), 4u);
  const std::vector<float> q = {1, 0};
  std::vector<uint64_t> labels(4);
  std::vector<float> scores(4);
  ASSERT_TRUE(index.Search(1, q.data(), 4, labels.data(), scores.data()).ok());
  EXPECT_EQ(labels, (std::vector<uint64_t>{30, 20, 10, 40}));
  EXPECT_FLOAT_EQ(scores[2], -1.0f);
}

TEST(ExactIndexTest, RejectsTheNoLabelSentinelAndANonPositiveDim) {
  ExactIndex index(2);
  const std::vector<float> v = {1, 0};
  const uint64_t label = kNoLabel;
  EXPECT_EQ(index.Add(1, v.data(), &label).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index.size(), 0u);
  ExactIndex no_dim(0);
  const uint64_t valid = 1;
  EXPECT_EQ(no_dim.Add(1, v.data(), &valid).code(), StatusCode::kInvalidArgument);
}

TEST(ExactIndexTest, SaveAndLoadGiveTheSameIndex) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/exact.idx";
  ExactIndex index(2);
  AddHandMade(&index);
  ASSERT_TRUE(index.Save(path).ok());
  Result<std::unique_ptr<ExactIndex>> loaded = ExactIndex::Load(path, 2);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), 4u);
  const std::vector<float> q = {0.6f, 0.8f};
  std::vector<uint64_t> a(4), b(4);
  std::vector<float> sa(4), sb(4);
  ASSERT_TRUE(index.Search(1, q.data(), 4, a.data(), sa.data()).ok());
  ASSERT_TRUE((*loaded)->Search(1, q.data(), 4, b.data(), sb.data()).ok());
  EXPECT_EQ(a, b);
  EXPECT_EQ(sa, sb);

  EXPECT_EQ(ExactIndex::Load(path, 3).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ExactIndex::Load(dir.path() + "/missing.idx", 2).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace segue::recommend
