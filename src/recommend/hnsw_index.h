// HnswIndex: approximate VectorIndex over hnswlib 0.6.2's HierarchicalNSW (inner-product space), the
// retrieval stage's index for large catalogs. Scores are inner products, as ExactIndex's.
//
// Search: our own over hnswlib's graph: a greedy descent of the upper layers, then a bottom-layer search
// that makes the visits of hnswlib's searchBaseLayerST but issues the memory reads of a node's
// neighbours together, with our inner-product kernel (inner_product.h: AVX2 + FMA when the CPU has
// them).
// Layout: OptimizeLayout renumbers the nodes breadth-first (graph_order.h) so that a search's reads
// fall close together; the bundle build calls it before Save.
// Growth: the graph holds `capacity()` vectors; an Add that needs more grows it (at least doubling) under
// the exclusive lock, so callers need not size it up front.
// Replace: adding a label that is present updates its vector and repairs its links (hnswlib's update).
// Persistence: Save writes the IndexFile envelope (index_file.h, kind 2) around hnswlib's own
// serialisation (the fields and layout of HierarchicalNSW::saveIndex). Load reads it back without
// rebuilding and validates everything before hnswlib's search code sees it: header, size, checksum,
// the graph's shape (sizes derived from dim and M), every link (target exists at that level) and
// labels (unique). A file that fails any check is kCorruption naming the file and the reason; hnswlib's
// own loadIndex, which trusts its input, is never called.
//
// Thread-safety (the VectorIndex contract):
//  - Search runs under a shared lock, concurrently with other searches and with the insertion of new
//    labels, which also holds the lock shared and relies on hnswlib's per-node locks; hnswlib writes a
//    new vector before any link to it (and x86 keeps stores in order), so searches reach only
//    complete vectors. Searches read link lists without hnswlib's locks, as hnswlib's own searchKnn does;
//    a search that meets a node in the middle of its insertion may, rarely, return fewer than k
//    (docs/recommend.md, "Thread-safety").
//  - Adds are serialised with each other (one batch at a time; within a large batch `build_threads`
//    threads insert in parallel). Growing the graph and replacing existing labels (which rewrites a
//    vector in place) take the lock exclusively, briefly pausing searches.
//  - Save excludes Adds, not searches.
// hnswlib.h defines non-inline functions and globals, so only hnsw_index.cc may include it: everything
// else uses this class.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "recommend/vector_index.h"

namespace segue::recommend {

struct HnswOptions {
  // The defaults are the measured operating point at 1M × 64-d (docs/benchmarks.md, "ANN index"):
  // recall@100 0.987 at 138× exact search's queries/s; M 16 / ef_search 128 gave 0.995 at only 88×.
  size_t m = 12;                  // links per node and layer (2·m on the bottom layer): recall vs memory
  size_t ef_construction = 100;   // candidate list while inserting: graph quality vs build time
  size_t ef_search = 100;         // candidate list while searching (at least k is used): recall vs speed
  size_t initial_capacity = 1024; // vectors allocated up front; Add grows the graph beyond it
  int build_threads = 1;          // threads one Add of a large batch inserts with
  uint64_t seed = 100;            // level generator: single-threaded builds are reproducible
};

class HnswIndex final : public VectorIndex {
 public:
  // kInvalidArgument for a non-positive dim or an option out of range.
  static Result<std::unique_ptr<HnswIndex>> Create(int dim, const HnswOptions& options);
  // Loads a file written by Save. The graph's parameters (m, ef_construction) come from the file;
  // ef_search, build_threads and initial_capacity (a floor for the capacity) from `options`.
  // kNotFound if there is no file; kCorruption for anything else than a valid HNSW index of `dim`.
  static Result<std::unique_ptr<HnswIndex>> Load(const std::string& path, int dim, const HnswOptions& options);
  ~HnswIndex() override;

  int dim() const override { return dim_; }
  size_t size() const override;
  Status Add(size_t n, const float* x, const uint64_t* labels) override;
  Status Search(size_t n, const float* q, size_t k, uint64_t* labels, float* scores) const override;
  Status Save(const std::string& path) const override;

  // Renumbers the graph's nodes in breadth-first order from the entry point (graph_order.h), so that
  // linked nodes sit near each other in memory and a search's reads land on fewer pages. Labels, links
  // and search results are unchanged; Save writes the new layout and Load keeps it. For the end of a
  // bulk build (the bundle build calls it before Save): it takes the exclusive lock for its duration
  // (about a second per million vectors) and briefly holds a second copy of the bottom layer.
  // kResourceExhausted (graph unchanged) if that copy cannot be allocated.
  Status OptimizeLayout();

  size_t capacity() const;
  size_t ef_search() const { return ef_search_.load(std::memory_order_relaxed); }
  void set_ef_search(size_t ef) { ef_search_.store(ef, std::memory_order_relaxed); }

 private:
  struct Graph;  // the hnswlib objects (see the note on hnswlib.h above)

  HnswIndex(int dim, const HnswOptions& options, std::unique_ptr<Graph> graph);
  Status Reserve(size_t extra);
  Status Insert(const size_t* rows, size_t count, const float* x, const uint64_t* labels, int threads);
  void SearchOne(const float* q, size_t k, uint64_t* labels, float* scores) const;

  const int dim_;
  const int build_threads_;
  std::atomic<size_t> ef_search_;
  std::unique_ptr<Graph> graph_;
  mutable std::mutex add_mu_;       // one Add (or Save) at a time; taken before mu_
  mutable std::shared_mutex mu_;    // exclusive: growth, replace; shared: search, insert, save
};

}  // namespace segue::recommend
