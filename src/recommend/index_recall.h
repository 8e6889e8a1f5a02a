// Recall of an approximate VectorIndex against exact search (the usual ANN measure, ann-benchmarks'):
// for each query, the share of the exact top-k labels that the approximate top-k also holds, averaged
// over the queries. Padding (kNoLabel) never counts as a hit; a query whose exact row is all padding is
// skipped. Used by the tests and by bench/ann_scale.cc so both report the same figure.
// A pure function: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace segue::recommend {

// exact, approx: [n × k] labels as Search returns them.
double RecallAtK(size_t n, size_t k, const uint64_t* exact, const uint64_t* approx);

}  // namespace segue::recommend
