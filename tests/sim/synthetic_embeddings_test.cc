#include "sim/synthetic_embeddings.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace segue::sim {
namespace {

double Dot(const float* a, const float* b, int dim) {
  double s = 0;
  for (int i = 0; i < dim; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

TEST(SyntheticEmbeddingsTest, RowsAreUnitVectorsAndDeterministic) {
  const EmbeddingOptions o{.dim = 16, .clusters = 5, .spread = 0.6, .seed = 3};
  const std::vector<float> a = ClusteredEmbeddings(200, o);
  ASSERT_EQ(a.size(), 200u * 16);
  for (size_t row = 0; row < 200; ++row) EXPECT_NEAR(Dot(&a[row * 16], &a[row * 16], 16), 1.0, 1e-5);
  EXPECT_EQ(ClusteredEmbeddings(200, o), a);
  // A smaller call is a prefix of a larger one (queries are drawn past the indexed rows).
  const std::vector<float> b = ClusteredEmbeddings(50, o);
  EXPECT_TRUE(std::equal(b.begin(), b.end(), a.begin()));
  EXPECT_NE(ClusteredEmbeddings(50, {.dim = 16, .clusters = 5, .spread = 0.6, .seed = 4}), b);
}

TEST(SyntheticEmbeddingsTest, RowsGatherAroundFewCentres) {
  // With 2 clusters and little spread, every pair of rows is either nearly parallel (same centre) or
  // about as far apart as two random directions (different centres).
  const std::vector<float> x = ClusteredEmbeddings(100, {.dim = 64, .clusters = 2, .spread = 0.2, .seed = 5});
  int close = 0;
  for (size_t i = 1; i < 100; ++i) close += Dot(&x[0], &x[i * 64], 64) > 0.9;
  EXPECT_GT(close, 20);
  EXPECT_LT(close, 80);
}

}  // namespace
}  // namespace segue::sim
