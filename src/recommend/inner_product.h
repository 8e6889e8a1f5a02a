// Inner product of two float vectors: the portable kernel (ExactIndex's scan) and the distance kernel of
// HnswIndex's graph search, in hnswlib's distance-function form.
//
// Two implementations, one chosen per process from what the CPU reports: AVX2 + FMA (x86-64 CPUs since
// 2013–2015; compiled into one function with a target attribute, so the rest of the build keeps the
// baseline x86-64 ISA and the binary still runs where AVX2 is missing) and a portable loop the compiler
// vectorises for the baseline ISA (SSE2 on x86-64). Why a kernel of our own: hnswlib 0.6.2 picks its
// kernel at compile time from -m flags we do not pass, so it uses one SSE accumulator, a chain of 16
// dependent additions per 64-d vector.
// Results of the two kernels differ in the last bits (FMA rounds once; different summation order).
// Thread-safety: pure functions; the choice is made once, thread-safely (a function-local static).
#pragma once

#include <cstddef>

namespace segue::recommend {

// hnswlib's DISTFUNC<float>: 1 − a·b, `dim` points at a size_t.
using InnerProductDistanceFn = float (*)(const void* a, const void* b, const void* dim);

// Eight independent accumulators: the compiler maps them onto SIMD registers without -ffast-math
// (a single accumulator is a serial dependency it may not reorder).
inline float PortableInnerProduct(const float* a, const float* b, size_t dim) {
  float acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= dim; i += 8) {
    for (size_t j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  }
  float tail = 0;
  for (; i < dim; ++i) tail += a[i] * b[i];
  return tail + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

// The fastest distance this CPU runs: the AVX2 + FMA kernel where available, else PortableInnerProduct.
InnerProductDistanceFn BestInnerProductDistance();

// The name of BestInnerProductDistance()'s kernel ("avx2+fma" or "portable"), for logs and benchmarks.
const char* BestInnerProductName();

}  // namespace segue::recommend
