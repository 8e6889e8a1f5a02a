// The client-side arms' intervals against values computed by hand (z = 1.959964).
#include "replay/interval95.h"

#include <gtest/gtest.h>

namespace segue {
namespace {

TEST(Interval95Test, ProportionIsWaldClippedToZeroOne) {
  // p = 0.3, se = √(0.3·0.7/100) = 0.0458258, half width 0.0898168.
  const Estimate e = ProportionCi95(30, 100);
  ASSERT_TRUE(e.defined);
  EXPECT_DOUBLE_EQ(e.value, 0.3);
  EXPECT_NEAR(e.lo, 0.2101832, 1e-6);
  EXPECT_NEAR(e.hi, 0.3898168, 1e-6);
  EXPECT_EQ(e.n, 100u);
  // p = 0.1 of 10: 0.1 ± 0.1859385 → the lower bound clipped at 0.
  const Estimate small = ProportionCi95(1, 10);
  EXPECT_DOUBLE_EQ(small.lo, 0.0);
  EXPECT_NEAR(small.hi, 0.2859385, 1e-6);
  EXPECT_FALSE(ProportionCi95(0, 0).defined);
}

TEST(Interval95Test, MeanUsesTheSampleStandardDeviation) {
  // Samples 1, 2, 3, 4: mean 2.5, s² = 5/3, se = √(5/12) = 0.6454972, half width 1.2651513.
  const Estimate e = MeanCi95(1 + 2 + 3 + 4, 1 + 4 + 9 + 16, 4);
  ASSERT_TRUE(e.defined);
  EXPECT_DOUBLE_EQ(e.value, 2.5);
  EXPECT_NEAR(e.lo, 1.2348487, 1e-6);
  EXPECT_NEAR(e.hi, 3.7651513, 1e-6);
  const Estimate one = MeanCi95(7, 49, 1);  // no spread from one sample: no interval
  EXPECT_TRUE(one.defined);
  EXPECT_DOUBLE_EQ(one.lo, 7);
  EXPECT_DOUBLE_EQ(one.hi, 7);
  EXPECT_FALSE(MeanCi95(0, 0, 0).defined);
}

TEST(Interval95Test, DifferenceAddsTheVariances) {
  // 0.4 of 200 vs 0.3 of 100: se = √(0.24/200 + 0.21/100) = √0.0033 = 0.0574456, half width 0.1125913.
  const Estimate d = DifferenceCi95(ProportionCi95(80, 200), ProportionCi95(30, 100));
  ASSERT_TRUE(d.defined);
  EXPECT_NEAR(d.value, 0.1, 1e-12);
  EXPECT_NEAR(d.lo, -0.0125913, 1e-6);
  EXPECT_NEAR(d.hi, 0.2125913, 1e-6);
  // From the unclipped standard error: 0.1 of 10 (clipped at 0) minus 0.
  const Estimate clipped = DifferenceCi95(ProportionCi95(1, 10), ProportionCi95(0, 10));
  EXPECT_NEAR(clipped.lo, 0.1 - 0.1859385, 1e-6);
  EXPECT_FALSE(DifferenceCi95(ProportionCi95(1, 10), Estimate{}).defined);
}

}  // namespace
}  // namespace segue
