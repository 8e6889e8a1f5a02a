#include "recommend/hnsw_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "recommend/exact_index.h"
#include "recommend/index_recall.h"
#include "tests/log/test_util.h"
#include "tests/recommend/ann_test_util.h"

namespace segue::recommend {
namespace {

using testing::Dot;
using testing::kDim;
using testing::Labels;
using testing::Vectors;

std::unique_ptr<HnswIndex> MakeIndex(HnswOptions options = {}) {
  Result<std::unique_ptr<HnswIndex>> index = HnswIndex::Create(kDim, options);
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return std::move(index).value();
}

TEST(HnswIndexTest, RecallAt100AgainstExactSearch) {
  // 20k 64-d unit vectors in 1000 clusters, 200 held-out queries from the same clusters, built with 2
  // threads and searched with a candidate list of 2k.
  constexpr size_t kN = 20'000, kQueries = 200, kK = 100;
  const std::vector<float> all = Vectors(kN + kQueries, 7, 1000);
  const std::vector<uint64_t> labels = Labels(kN);
  const float* queries = all.data() + kN * kDim;
  auto hnsw = MakeIndex({.m = 16, .ef_construction = 200, .ef_search = 2 * kK, .build_threads = 2});
  ExactIndex exact(kDim);
  ASSERT_TRUE(hnsw->Add(kN, all.data(), labels.data()).ok());
  ASSERT_TRUE(exact.Add(kN, all.data(), labels.data()).ok());
  EXPECT_EQ(hnsw->size(), kN);

  std::vector<uint64_t> got(kQueries * kK), want(kQueries * kK);
  std::vector<float> got_scores(kQueries * kK), want_scores(kQueries * kK);
  ASSERT_TRUE(hnsw->Search(kQueries, queries, kK, got.data(), got_scores.data()).ok());
  ASSERT_TRUE(exact.Search(kQueries, queries, kK, want.data(), want_scores.data()).ok());
  const double recall = RecallAtK(kQueries, kK, want.data(), got.data());
  EXPECT_GE(recall, 0.95);
  // Scores are inner products, best first, as the exact index's.
  for (size_t j = 0; j < kK; ++j) {
    EXPECT_NEAR(got_scores[j], Dot(queries, all.data() + got[j] * kDim), 1e-5);
    if (j > 0) {
      EXPECT_GE(got_scores[j - 1], got_scores[j]);
    }
  }
  EXPECT_NEAR(got_scores[0], want_scores[0], 1e-5);
}

TEST(HnswIndexTest, PadsRowsBeyondItsSizeWithNoLabel) {
  auto index = MakeIndex();
  const std::vector<float> x = Vectors(3);
  std::vector<uint64_t> labels(5);
  std::vector<float> scores(5);
  ASSERT_TRUE(index->Search(1, x.data(), 5, labels.data(), scores.data()).ok());  // empty index
  EXPECT_EQ(labels, std::vector<uint64_t>(5, kNoLabel));
  ASSERT_TRUE(index->Add(3, x.data(), Labels(3, 100).data()).ok());
  ASSERT_TRUE(index->Search(1, x.data(), 5, labels.data(), scores.data()).ok());
  EXPECT_EQ(labels[0], 100u);
  EXPECT_EQ(std::set<uint64_t>(labels.begin(), labels.begin() + 3), (std::set<uint64_t>{100, 101, 102}));
  EXPECT_EQ(labels[3], kNoLabel);
  EXPECT_EQ(labels[4], kNoLabel);
  EXPECT_EQ(scores[4], -std::numeric_limits<float>::infinity());
}

TEST(HnswIndexTest, AddingAHeldLabelReplacesItsVector) {
  constexpr size_t kN = 2000;
  const std::vector<float> x = Vectors(kN + 1);
  auto index = MakeIndex();
  ASSERT_TRUE(index->Add(kN, x.data(), Labels(kN).data()).ok());
  const float* moved = x.data() + kN * kDim;  // label 5 gets a vector it did not have
  const uint64_t label = 5;
  ASSERT_TRUE(index->Add(1, moved, &label).ok());
  EXPECT_EQ(index->size(), kN);
  uint64_t top = 0;
  float score = 0;
  ASSERT_TRUE(index->Search(1, moved, 1, &top, &score).ok());
  EXPECT_EQ(top, 5u);
  EXPECT_NEAR(score, 1.0f, 1e-5);
  // The old vector's own label is no longer a perfect match for it.
  std::vector<uint64_t> labels(kN);
  std::vector<float> scores(kN);
  ASSERT_TRUE(index->Search(1, x.data() + 5 * kDim, kN, labels.data(), scores.data()).ok());
  for (size_t j = 0; j < kN; ++j) {
    if (labels[j] == 5) {
      EXPECT_NEAR(scores[j], Dot(x.data() + 5 * kDim, moved), 1e-5);
    }
  }
}

TEST(HnswIndexTest, ALabelGivenTwiceInOneBatchKeepsItsLastVector) {
  const std::vector<float> x = Vectors(2);
  const std::vector<uint64_t> labels = {9, 9};
  auto index = MakeIndex();
  ASSERT_TRUE(index->Add(2, x.data(), labels.data()).ok());
  EXPECT_EQ(index->size(), 1u);
  uint64_t top = 0;
  float score = 0;
  ASSERT_TRUE(index->Search(1, x.data() + kDim, 1, &top, &score).ok());
  EXPECT_EQ(top, 9u);
  EXPECT_NEAR(score, 1.0f, 1e-5);
}

TEST(HnswIndexTest, GrowsBeyondItsInitialCapacity) {
  constexpr size_t kN = 3000;
  const std::vector<float> x = Vectors(kN);
  const std::vector<uint64_t> labels = Labels(kN);
  auto index = MakeIndex({.initial_capacity = 16});
  for (size_t begin = 0; begin < kN; begin += 100) {
    ASSERT_TRUE(index->Add(100, x.data() + begin * kDim, labels.data() + begin).ok());
  }
  EXPECT_EQ(index->size(), kN);
  EXPECT_GE(index->capacity(), kN);
  uint64_t top = 0;
  float score = 0;
  ASSERT_TRUE(index->Search(1, x.data() + 1234 * kDim, 1, &top, &score).ok());
  EXPECT_EQ(top, 1234u);
}

TEST(HnswIndexTest, RejectsBadOptionsAndTheNoLabelSentinel) {
  EXPECT_EQ(HnswIndex::Create(0, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HnswIndex::Create(kDim, {.m = 1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HnswIndex::Create(kDim, {.initial_capacity = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HnswIndex::Create(kDim, {.build_threads = 0}).status().code(), StatusCode::kInvalidArgument);
  auto index = MakeIndex();
  const std::vector<float> x = Vectors(1);
  EXPECT_EQ(index->Add(1, x.data(), &kNoLabel).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index->size(), 0u);
}

TEST(HnswIndexTest, SaveAndLoadGiveIdenticalResults) {
  constexpr size_t kN = 5000, kQueries = 50, kK = 20;
  const std::vector<float> x = Vectors(kN + kQueries);
  auto index = MakeIndex({.ef_search = 64});
  ASSERT_TRUE(index->Add(kN, x.data(), Labels(kN).data()).ok());
  ::segue::testing::TempDir dir;
  const std::string path = dir.path() + "/hnsw.idx";
  ASSERT_TRUE(index->Save(path).ok());
  Result<std::unique_ptr<HnswIndex>> loaded = HnswIndex::Load(path, kDim, {.ef_search = 64});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), kN);

  const float* q = x.data() + kN * kDim;
  std::vector<uint64_t> a(kQueries * kK), b(kQueries * kK);
  std::vector<float> sa(kQueries * kK), sb(kQueries * kK);
  ASSERT_TRUE(index->Search(kQueries, q, kK, a.data(), sa.data()).ok());
  ASSERT_TRUE((*loaded)->Search(kQueries, q, kK, b.data(), sb.data()).ok());
  EXPECT_EQ(a, b);
  EXPECT_EQ(sa, sb);

  // The loaded index keeps growing and replacing like a built one.
  const std::vector<float> more = Vectors(10, 99);
  ASSERT_TRUE((*loaded)->Add(10, more.data(), Labels(10, kN - 5).data()).ok());
  EXPECT_EQ((*loaded)->size(), kN + 5);
}

// OptimizeLayout renumbers every node: the same labels, links and entry point must come out the other
// side, so every search returns exactly what it returned before, and later Adds, replacements, Save and
// Load find each label's node under its new number.
TEST(HnswIndexTest, OptimizeLayoutKeepsResultsAndLabels) {
  constexpr size_t kN = 5000, kQueries = 50, kK = 20;
  const std::vector<float> x = Vectors(kN + kQueries + 2);
  const float* q = x.data() + kN * kDim;
  auto index = MakeIndex({.ef_search = 64});
  ASSERT_TRUE(index->Add(kN, x.data(), Labels(kN).data()).ok());
  std::vector<uint64_t> before(kQueries * kK), after(kQueries * kK);
  std::vector<float> sb(kQueries * kK), sa(kQueries * kK);
  ASSERT_TRUE(index->Search(kQueries, q, kK, before.data(), sb.data()).ok());

  ASSERT_TRUE(index->OptimizeLayout().ok());
  EXPECT_EQ(index->size(), kN);
  ASSERT_TRUE(index->Search(kQueries, q, kK, after.data(), sa.data()).ok());
  EXPECT_EQ(after, before);
  EXPECT_EQ(sa, sb);

  // Label 5 gets a new vector (a replacement finds its node through the label map), a new label joins.
  const float* moved = x.data() + (kN + kQueries) * kDim;
  const std::vector<uint64_t> more = {5, kN};
  ASSERT_TRUE(index->Add(2, moved, more.data()).ok());
  EXPECT_EQ(index->size(), kN + 1);
  for (size_t i = 0; i < 2; ++i) {
    uint64_t top = 0;
    float score = 0;
    ASSERT_TRUE(index->Search(1, moved + i * kDim, 1, &top, &score).ok());
    EXPECT_EQ(top, more[i]);
    EXPECT_NEAR(score, 1.0f, 1e-5);
  }

  ::segue::testing::TempDir dir;
  ASSERT_TRUE(index->Save(dir.path() + "/hnsw.idx").ok());
  Result<std::unique_ptr<HnswIndex>> loaded = HnswIndex::Load(dir.path() + "/hnsw.idx", kDim, {.ef_search = 64});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE(index->Search(kQueries, q, kK, before.data(), sb.data()).ok());
  ASSERT_TRUE((*loaded)->Search(kQueries, q, kK, after.data(), sa.data()).ok());
  EXPECT_EQ(after, before);
}

TEST(HnswIndexTest, OptimizeLayoutOfAnEmptyIndexIsANoOp) {
  auto index = MakeIndex();
  ASSERT_TRUE(index->OptimizeLayout().ok());
  EXPECT_EQ(index->size(), 0u);
  const std::vector<float> x = Vectors(1);
  const uint64_t label = 3;
  ASSERT_TRUE(index->Add(1, x.data(), &label).ok());
  uint64_t top = 0;
  float score = 0;
  ASSERT_TRUE(index->Search(1, x.data(), 1, &top, &score).ok());
  EXPECT_EQ(top, 3u);
}

// New tracks are inserted while serving: searches run during inserts (and the graph's growth) and must
// only ever see complete vectors: every label returned scores exactly its vector's inner product.
TEST(HnswIndexTest, ConcurrentAddsAndSearchesSeeOnlyCompletePoints) {
  constexpr size_t kN = 6000, kPrefill = 500, kQueries = 64, kK = 10;
  const std::vector<float> x = Vectors(kN + kQueries);
  const std::vector<uint64_t> labels = Labels(kN);
  auto index = MakeIndex({.ef_construction = 64, .initial_capacity = 256});
  ASSERT_TRUE(index->Add(kPrefill, x.data(), labels.data()).ok());

  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::atomic<int> searches{0};
  auto searcher = [&](size_t first_query) {
    std::vector<uint64_t> got(kK);
    std::vector<float> scores(kK);
    for (size_t i = first_query; !done.load(); i = (i + 1) % kQueries) {
      const float* q = x.data() + (kN + i) * kDim;
      if (!index->Search(1, q, kK, got.data(), scores.data()).ok()) ++bad;
      std::set<uint64_t> seen;
      for (size_t j = 0; j < kK; ++j) {
        if (got[j] == kNoLabel) continue;
        const bool known = got[j] < kN && seen.insert(got[j]).second;
        if (!known || std::fabs(scores[j] - Dot(q, x.data() + got[j] * kDim)) > 1e-5f) ++bad;
      }
      ++searches;
    }
  };
  auto adder = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i += 7) {
      const size_t n = std::min<size_t>(7, end - i);
      if (!index->Add(n, x.data() + i * kDim, labels.data() + i).ok()) ++bad;
    }
  };
  std::thread s1(searcher, 0), s2(searcher, kQueries / 2);
  std::thread a1(adder, kPrefill, (kN + kPrefill) / 2), a2(adder, (kN + kPrefill) / 2, kN);
  a1.join();
  a2.join();
  done = true;
  s1.join();
  s2.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(index->size(), kN);
  EXPECT_GE(index->capacity(), kN);
}

}  // namespace
}  // namespace segue::recommend
