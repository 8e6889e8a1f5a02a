#include "recommend/inner_product.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace segue::recommend {
namespace {

// The chosen kernel (AVX2 + FMA on most x86-64 machines) against the portable one and a plain double
// sum, at dimensions that exercise its 32-, 8- and 1-float steps.
TEST(InnerProductTest, TheChosenKernelAgreesWithAPlainSumAtEveryDimension) {
  const std::string name = BestInnerProductName();
  EXPECT_TRUE(name == "avx2+fma" || name == "portable") << name;
  const InnerProductDistanceFn distance = BestInnerProductDistance();
  for (size_t dim : {1, 3, 8, 13, 32, 40, 64, 71, 100}) {
    std::vector<float> a(dim), b(dim);
    double want = 0;
    for (size_t i = 0; i < dim; ++i) {
      a[i] = std::sin(0.7f * static_cast<float>(i) + 0.3f);
      b[i] = std::cos(1.3f * static_cast<float>(i)) - 0.2f;
      want += static_cast<double>(a[i]) * b[i];
    }
    EXPECT_NEAR(PortableInnerProduct(a.data(), b.data(), dim), want, 1e-5) << "dim " << dim;
    EXPECT_NEAR(distance(a.data(), b.data(), &dim), 1.0 - want, 1e-5) << "dim " << dim;
  }
}

}  // namespace
}  // namespace segue::recommend
