#include "recommend/inner_product.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SEGUE_HAVE_AVX2_KERNEL 1
#endif

namespace segue::recommend {

namespace {

#ifdef SEGUE_HAVE_AVX2_KERNEL
// Four accumulators of 8 lanes: a 64-d vector is two FMAs deep per accumulator, so the FMA latency
// (4 cycles) is paid twice, not eight times.
__attribute__((target("avx2,fma"))) float Avx2InnerProduct(const float* a, const float* b, size_t dim) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  size_t i = 0;
  for (; i + 32 <= dim; i += 32) {
    for (size_t j = 0; j < 4; ++j) {
      acc[j] = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8 * j), _mm256_loadu_ps(b + i + 8 * j), acc[j]);
    }
  }
  for (; i + 8 <= dim; i += 8) acc[0] = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc[0]);
  const __m256 sum8 = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
  __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(sum8), _mm256_extractf128_ps(sum8, 1));
  sum4 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
  sum4 = _mm_add_ss(sum4, _mm_shuffle_ps(sum4, sum4, 1));
  float sum = _mm_cvtss_f32(sum4);
  for (; i < dim; ++i) sum += a[i] * b[i];
  return sum;
}

bool HasAvx2Fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

template <float (*Kernel)(const float*, const float*, size_t)>
float Distance(const void* a, const void* b, const void* dim) {
  return 1.0f - Kernel(static_cast<const float*>(a), static_cast<const float*>(b), *static_cast<const size_t*>(dim));
}

struct Choice {
  InnerProductDistanceFn fn;
  const char* name;
};

const Choice& Chosen() {
  static const Choice choice = [] {
#ifdef SEGUE_HAVE_AVX2_KERNEL
    if (HasAvx2Fma()) return Choice{Distance<Avx2InnerProduct>, "avx2+fma"};
#endif
    return Choice{Distance<PortableInnerProduct>, "portable"};
  }();
  return choice;
}

}  // namespace

InnerProductDistanceFn BestInnerProductDistance() { return Chosen().fn; }

const char* BestInnerProductName() { return Chosen().name; }

}  // namespace segue::recommend
