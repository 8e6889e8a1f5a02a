#include "recommend/hnsw_index.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <queue>
#include <span>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "recommend/graph_order.h"
#include "recommend/index_file.h"
#include "recommend/inner_product.h"

namespace segue::recommend {

namespace {

using Hnsw = hnswlib::HierarchicalNSW<float>;
using hnswlib::tableint;

constexpr tableint kNoNode = std::numeric_limits<tableint>::max();  // hnswlib's "no entry point yet"
// A batch smaller than this per thread is inserted by the calling thread alone (threads cost more).
constexpr size_t kMinRowsPerThread = 1000;
// hnswlib caps m at 10,000 and divides by log(m); levels grow as log_m(size), far below this bound.
constexpr size_t kMaxM = 10'000;
constexpr int kMaxLevel = 64;

Status ValidateOptions(int dim, const HnswOptions& o) {
  if (dim <= 0) return Status::InvalidArgument("HnswIndex: dim must be positive, got " + std::to_string(dim));
  if (o.m < 2 || o.m > kMaxM) return Status::InvalidArgument("HnswIndex: m must be in [2, 10000]");
  if (o.ef_construction == 0 || o.ef_search == 0) return Status::InvalidArgument("HnswIndex: ef must be positive");
  if (o.initial_capacity == 0 || o.initial_capacity > kNoNode) {
    return Status::InvalidArgument("HnswIndex: initial_capacity must be in [1, 2^32-1)");
  }
  if (o.build_threads < 1) return Status::InvalidArgument("HnswIndex: build_threads must be at least 1");
  return Status::Ok();
}

Status CheckArrays(size_t n, const void* a, const void* b, const char* what) {
  if (n > 0 && (a == nullptr || b == nullptr)) return Status::InvalidArgument(std::string(what) + ": null array");
  return Status::Ok();
}

// hnswlib takes its distance kernel from the space when the graph object is made: ours replaces it
// (inner_product.h says why). Every graph object (Create, Load) gets it before its first use.
void UseOurKernel(Hnsw* h) { h->fstdistfunc_ = BestInnerProductDistance(); }

// The index rows of a batch to insert as new labels and those replacing a held label's vector. A label
// given twice in one batch keeps its last vector, as if the rows were added one after the other.
void SplitBatch(size_t n, const uint64_t* labels, const std::unordered_map<hnswlib::labeltype, tableint>& held,
                std::vector<size_t>* fresh, std::vector<size_t>* replaced) {
  std::unordered_map<uint64_t, size_t> last;
  last.reserve(n);
  for (size_t i = 0; i < n; ++i) last[labels[i]] = i;
  for (size_t i = 0; i < n; ++i) {
    if (last[labels[i]] != i) continue;
    (held.contains(labels[i]) ? replaced : fresh)->push_back(i);
  }
}

Status AddPoint(Hnsw* h, const float* v, uint64_t label) {
  try {
    h->addPoint(v, label);
    return Status::Ok();
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("HnswIndex::Add: out of memory");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("HnswIndex::Add: ") + e.what());
  }
}

// From the entry point down to layer 1, moves to the closest neighbour until none is closer (hnswlib's
// searchKnn, minus its shared metric counters). The entry point's own level bounds the descent:
// hnswlib's maxlevel_ is published separately from enterpoint_node_ by a concurrent insert, and a new
// max level paired with the previous entry point would read past that node's link lists.
tableint GreedyDescend(const Hnsw& h, const float* q, tableint node) {
  float best = h.fstdistfunc_(q, h.getDataByInternalId(node), h.dist_func_param_);
  for (int level = h.element_levels_[node]; level > 0; --level) {
    for (bool changed = true; changed;) {
      changed = false;
      hnswlib::linklistsizeint* list = h.get_linklist(node, level);
      const size_t size = h.getListCount(list);
      const tableint* links = reinterpret_cast<const tableint*>(list + 1);
      for (size_t i = 0; i < size; ++i) {
        const float d = h.fstdistfunc_(q, h.getDataByInternalId(links[i]), h.dist_func_param_);
        if (d < best) {
          best = d;
          node = links[i];
          changed = true;
        }
      }
    }
  }
  return node;
}

using Scored = std::pair<float, tableint>;  // (distance, node)
struct Farther {
  bool operator()(const Scored& a, const Scored& b) const { return a.first < b.first; }
};
struct Closer {
  bool operator()(const Scored& a, const Scored& b) const { return a.first > b.first; }
};
using ResultHeap = std::priority_queue<Scored, std::vector<Scored>, Farther>;  // the farthest on top

// Asks for every cache line of `node`'s vector (hnswlib prefetches only its first of four or five).
void PrefetchVector(const Hnsw& h, tableint node) {
  const char* v = h.getDataByInternalId(node);
  for (size_t offset = 0; offset < h.data_size_; offset += 64) __builtin_prefetch(v + offset);
  __builtin_prefetch(v + h.data_size_ - 1);
}

// The bottom-layer search of hnswlib's searchBaseLayerST (no deletions: we never mark any), the same
// visits in the same order and so the same results, reordered for memory-level parallelism: for each
// node it expands, it first marks its unvisited neighbours and asks for all of their vectors, then
// scores them, so the few DRAM reads of one expansion overlap instead of following one another. This is
// where a search at 1M vectors spends its time: waiting for vectors at random addresses, not computing.
ResultHeap SearchBottomLayer(const Hnsw& h, tableint entry, const float* q, size_t ef) {
  hnswlib::VisitedList* visited_list = h.visited_list_pool_->getFreeVisitedList();
  hnswlib::vl_type* visited = visited_list->mass;
  const hnswlib::vl_type tag = visited_list->curV;
  std::vector<tableint> fresh;
  fresh.reserve(h.maxM0_);
  ResultHeap top;
  std::priority_queue<Scored, std::vector<Scored>, Closer> frontier;
  const float entry_distance = h.fstdistfunc_(q, h.getDataByInternalId(entry), h.dist_func_param_);
  top.emplace(entry_distance, entry);
  frontier.emplace(entry_distance, entry);
  visited[entry] = tag;
  while (!frontier.empty() && frontier.top().first <= top.top().first) {
    hnswlib::linklistsizeint* list = h.get_linklist0(frontier.top().second);
    frontier.pop();
    const tableint* links = reinterpret_cast<const tableint*>(list + 1);
    const size_t size = h.getListCount(list);
    for (size_t j = 0; j < size; ++j) __builtin_prefetch(visited + links[j]);
    fresh.clear();
    for (size_t j = 0; j < size; ++j) {
      if (visited[links[j]] == tag) continue;
      visited[links[j]] = tag;
      fresh.push_back(links[j]);
      PrefetchVector(h, links[j]);
    }
    for (tableint node : fresh) {
      const float d = h.fstdistfunc_(q, h.getDataByInternalId(node), h.dist_func_param_);
      if (top.size() >= ef && d >= top.top().first) continue;
      frontier.emplace(d, node);
      top.emplace(d, node);
      if (top.size() > ef) top.pop();
    }
    if (!frontier.empty()) __builtin_prefetch(h.get_linklist0(frontier.top().second));
  }
  h.visited_list_pool_->releaseVisitedList(visited_list);
  return top;
}

// The breadth-first order of the bottom layer (every node is on it) from the entry point.
std::vector<tableint> LocalityOrder(const Hnsw& h) {
  auto links = [&h](tableint node) {
    hnswlib::linklistsizeint* list = h.get_linklist0(node);
    return std::span<const tableint>(reinterpret_cast<const tableint*>(list + 1), h.getListCount(list));
  };
  const tableint count = static_cast<tableint>(h.cur_element_count);
  return BreadthFirstOrder(count, count > 0 ? h.enterpoint_node_ : 0, links);
}

void RenumberLinks(const Hnsw& h, hnswlib::linklistsizeint* list, const std::vector<tableint>& new_id) {
  tableint* links = reinterpret_cast<tableint*>(list + 1);
  for (size_t j = 0, size = h.getListCount(list); j < size; ++j) links[j] = new_id[links[j]];
}

// Moves node order[i] to id i: its bottom-layer record to slot i of a new block, its upper-layer block
// pointer and level to index i; every link, the label map and the entry point follow. Labels, links and
// therefore search results are unchanged. Everything that can fail is allocated before the graph is
// touched. The caller excludes every other use of the graph.
void Renumber(Hnsw* h, const std::vector<tableint>& order) {
  const size_t count = h->cur_element_count;
  const size_t record = h->size_data_per_element_;
  std::vector<tableint> new_id(count);
  for (size_t i = 0; i < count; ++i) new_id[order[i]] = static_cast<tableint>(i);
  std::vector<char*> upper(count, nullptr);
  std::vector<int> levels(count);
  char* level0 = static_cast<char*>(std::malloc(h->max_elements_ * record));  // hnswlib frees it with free()
  if (level0 == nullptr) throw std::bad_alloc();
  for (size_t i = 0; i < count; ++i) {
    const tableint old = order[i];
    std::memcpy(level0 + i * record, h->data_level0_memory_ + old * record, record);
    RenumberLinks(*h, reinterpret_cast<hnswlib::linklistsizeint*>(level0 + i * record), new_id);
    levels[i] = h->element_levels_[old];
    if (levels[i] > 0) upper[i] = h->linkLists_[old];
    for (int level = 1; level <= levels[i]; ++level) RenumberLinks(*h, h->get_linklist(old, level), new_id);
  }
  std::free(h->data_level0_memory_);
  h->data_level0_memory_ = level0;
  std::copy(upper.begin(), upper.end(), h->linkLists_);
  std::copy(levels.begin(), levels.end(), h->element_levels_.begin());
  for (auto& [label, id] : h->label_lookup_) id = new_id[id];
  if (count > 0) h->enterpoint_node_ = new_id[h->enterpoint_node_];
}

// The fixed fields that open the payload, in the order HierarchicalNSW::saveIndex writes them.
struct GraphHeader {
  size_t offset_level0 = 0;
  size_t max_elements = 0;
  size_t count = 0;
  size_t size_data_per_element = 0;
  size_t label_offset = 0;
  size_t offset_data = 0;
  int max_level = -1;
  tableint entry_point = kNoNode;
  size_t max_m = 0;
  size_t max_m0 = 0;
  size_t m = 0;
  double mult = 0;
  size_t ef_construction = 0;

  // Applies `io` to every field in file order (one list for reading and writing).
  template <typename Io>
  Status Visit(Io io) {
    Status s;
    auto field = [&](auto& v) {
      if (s.ok()) s = io(&v, sizeof(v));
    };
    field(offset_level0);
    field(max_elements);
    field(count);
    field(size_data_per_element);
    field(label_offset);
    field(offset_data);
    field(max_level);
    field(entry_point);
    field(max_m);
    field(max_m0);
    field(m);
    field(mult);
    field(ef_construction);
    return s;
  }
};

Status WriteGraph(const Hnsw& h, IndexFileWriter* w) {
  const size_t count = h.cur_element_count;
  GraphHeader head{h.offsetLevel0_, count, count, h.size_data_per_element_, h.label_offset_, h.offsetData_,
                   h.maxlevel_, h.enterpoint_node_, h.maxM_, h.maxM0_, h.M_, h.mult_, h.ef_construction_};
  Status s = head.Visit([w](void* v, size_t bytes) { return w->Write(v, bytes); });
  if (s.ok()) s = w->Write(h.data_level0_memory_, count * h.size_data_per_element_);
  for (size_t i = 0; s.ok() && i < count; ++i) {
    const uint32_t bytes = h.element_levels_[i] > 0 ? h.size_links_per_element_ * h.element_levels_[i] : 0;
    s = w->Write(&bytes, sizeof(bytes));
    if (s.ok() && bytes > 0) s = w->Write(h.linkLists_[i], bytes);
  }
  return s;
}

// The layout hnswlib derives from dim and m; a file whose header disagrees was not written by Save.
bool LayoutMatches(const GraphHeader& g, int dim) {
  const size_t links0 = 2 * g.m * sizeof(tableint) + sizeof(hnswlib::linklistsizeint);
  const size_t data = static_cast<size_t>(dim) * sizeof(float);
  return g.m >= 2 && g.m <= kMaxM && g.max_m == g.m && g.max_m0 == 2 * g.m && g.offset_level0 == 0 &&
         g.offset_data == links0 && g.label_offset == links0 + data &&
         g.size_data_per_element == links0 + data + sizeof(hnswlib::labeltype) && g.ef_construction >= g.m;
}

Status CheckHeader(const GraphHeader& g, const IndexFileReader& r, int dim) {
  if (!LayoutMatches(g, dim)) return r.Corrupt("graph layout does not match dim " + std::to_string(dim));
  if (g.count != r.info().count || g.count > kNoNode) return r.Corrupt("inconsistent vector count");
  // Bounds what Load allocates by the file's size before anything is allocated.
  if (g.count > r.remaining() / g.size_data_per_element) return r.Corrupt("payload too short for its vectors");
  const bool empty_ok = g.count == 0 && g.entry_point == kNoNode && g.max_level == -1;
  const bool full_ok = g.count > 0 && g.entry_point < g.count && g.max_level >= 0 && g.max_level <= kMaxLevel;
  if (!empty_ok && !full_ok) return r.Corrupt("invalid entry point or level");
  return Status::Ok();
}

// Reads the link lists of layers >= 1, one block per vector.
Status ReadUpperLayers(Hnsw* h, const GraphHeader& g, IndexFileReader* r) {
  for (size_t i = 0; i < g.count; ++i) {
    uint32_t bytes = 0;
    if (Status s = r->Read(&bytes, sizeof(bytes)); !s.ok()) return s;
    const size_t level = bytes / h->size_links_per_element_;
    if (bytes % h->size_links_per_element_ != 0 || level > static_cast<size_t>(g.max_level) || bytes > r->remaining()) {
      return r->Corrupt("invalid link block of vector " + std::to_string(i));
    }
    if (level > 0) {
      // hnswlib frees it with free(). Its SIMD search prefetches one link past a full list: room for it.
      char* block = static_cast<char*>(std::malloc(bytes + sizeof(tableint)));
      if (block == nullptr) throw std::bad_alloc();
      h->linkLists_[i] = block;
      h->element_levels_[i] = static_cast<int>(level);
    } else {
      h->element_levels_[i] = 0;
    }
    h->cur_element_count = i + 1;  // hnswlib's destructor frees the blocks of the first cur_element_count
    if (Status s = level > 0 ? r->Read(h->linkLists_[i], bytes) : Status::Ok(); !s.ok()) return s;
  }
  return Status::Ok();
}

// Every link must name a vector of the file that exists on that layer: hnswlib's search follows links
// without checking them.
Status CheckLinks(const Hnsw& h, const GraphHeader& g, const IndexFileReader& r) {
  if (g.count > 0 && h.element_levels_[g.entry_point] != g.max_level) return r.Corrupt("entry point not on the top layer");
  for (tableint i = 0; i < g.count; ++i) {
    for (int level = 0; level <= h.element_levels_[i]; ++level) {
      const hnswlib::linklistsizeint* list = h.get_linklist_at_level(i, level);
      // The whole word, not just hnswlib's 16-bit count: a set deletion mark (never written) is rejected too.
      if (*list > (level == 0 ? g.max_m0 : g.max_m)) return r.Corrupt("invalid link count of vector " + std::to_string(i));
      const tableint* links = reinterpret_cast<const tableint*>(list + 1);
      for (size_t j = 0; j < *list; ++j) {
        if (links[j] >= g.count || h.element_levels_[links[j]] < level) {
          return r.Corrupt("vector " + std::to_string(i) + " links to a missing vector");
        }
      }
    }
  }
  return Status::Ok();
}

Status IndexLabels(Hnsw* h, size_t count, const IndexFileReader& r) {
  h->label_lookup_.reserve(count);
  for (tableint i = 0; i < count; ++i) {
    const uint64_t label = h->getExternalLabel(i);
    if (label == kNoLabel || !h->label_lookup_.try_emplace(label, i).second) {
      return r.Corrupt("label " + std::to_string(label) + " is invalid or repeated");
    }
  }
  return Status::Ok();
}

}  // namespace

struct HnswIndex::Graph {
  explicit Graph(int dim) : space(static_cast<size_t>(dim)) {}
  hnswlib::InnerProductSpace space;  // declared first: hnsw points into it
  std::unique_ptr<Hnsw> hnsw;
};

HnswIndex::HnswIndex(int dim, const HnswOptions& options, std::unique_ptr<Graph> graph)
    : dim_(dim), build_threads_(options.build_threads), ef_search_(options.ef_search), graph_(std::move(graph)) {}

HnswIndex::~HnswIndex() = default;

Result<std::unique_ptr<HnswIndex>> HnswIndex::Create(int dim, const HnswOptions& options) {
  if (Status s = ValidateOptions(dim, options); !s.ok()) return s;
  try {
    auto graph = std::make_unique<Graph>(dim);
    graph->hnsw = std::make_unique<Hnsw>(&graph->space, options.initial_capacity, options.m,
                                         options.ef_construction, options.seed);
    UseOurKernel(graph->hnsw.get());
    return std::unique_ptr<HnswIndex>(new HnswIndex(dim, options, std::move(graph)));
  } catch (const std::exception& e) {
    return Status::ResourceExhausted(std::string("HnswIndex: cannot allocate the graph: ") + e.what());
  }
}

Result<std::unique_ptr<HnswIndex>> HnswIndex::Load(const std::string& path, int dim, const HnswOptions& options) {
  if (Status s = ValidateOptions(dim, options); !s.ok()) return s;
  Result<IndexFileReader> reader = IndexFileReader::Open(path, IndexKind::kHnsw, dim);
  if (!reader.ok()) return reader.status();
  IndexFileReader& r = *reader;
  GraphHeader g;
  if (Status s = g.Visit([&r](void* v, size_t bytes) { return r.Read(v, bytes); }); !s.ok()) return s;
  if (Status s = CheckHeader(g, r, dim); !s.ok()) return s;
  try {
    auto graph = std::make_unique<Graph>(dim);
    graph->hnsw = std::make_unique<Hnsw>(&graph->space, std::max(g.count, options.initial_capacity), g.m,
                                         g.ef_construction, options.seed);
    Hnsw* h = graph->hnsw.get();
    UseOurKernel(h);
    Status s = r.Read(h->data_level0_memory_, g.count * g.size_data_per_element);
    if (s.ok()) s = ReadUpperLayers(h, g, &r);
    if (s.ok()) s = r.Finish();
    if (s.ok()) s = CheckLinks(*h, g, r);
    if (s.ok()) s = IndexLabels(h, g.count, r);
    if (!s.ok()) return s;
    h->maxlevel_ = g.max_level;
    h->enterpoint_node_ = g.entry_point;
    return std::unique_ptr<HnswIndex>(new HnswIndex(dim, options, std::move(graph)));
  } catch (const std::exception& e) {
    return Status::ResourceExhausted(path + ": cannot allocate the graph: " + e.what());
  }
}

size_t HnswIndex::size() const {
  std::lock_guard guard(graph_->hnsw->cur_element_count_guard_);
  return graph_->hnsw->cur_element_count;
}

size_t HnswIndex::capacity() const {
  std::shared_lock lock(mu_);
  return graph_->hnsw->max_elements_;
}

Status HnswIndex::Add(size_t n, const float* x, const uint64_t* labels) {
  if (Status s = CheckArrays(n, x, labels, "HnswIndex::Add"); !s.ok()) return s;
  if (std::find(labels, labels + n, kNoLabel) != labels + n) {
    return Status::InvalidArgument("HnswIndex::Add: kNoLabel is not a label");
  }
  std::lock_guard add(add_mu_);
  std::vector<size_t> fresh;
  std::vector<size_t> replaced;
  // label_lookup_ changes only inside Add, which add_mu_ serialises.
  SplitBatch(n, labels, graph_->hnsw->label_lookup_, &fresh, &replaced);
  if (Status s = Reserve(fresh.size()); !s.ok()) return s;
  {
    std::shared_lock lock(mu_);
    if (Status s = Insert(fresh.data(), fresh.size(), x, labels, build_threads_); !s.ok()) return s;
  }
  if (replaced.empty()) return Status::Ok();
  std::unique_lock lock(mu_);
  return Insert(replaced.data(), replaced.size(), x, labels, 1);
}

Status HnswIndex::Reserve(size_t extra) {
  Hnsw& h = *graph_->hnsw;
  const size_t needed = h.cur_element_count + extra;  // no insert runs: the caller holds add_mu_
  if (needed <= h.max_elements_) return Status::Ok();
  if (needed > kNoNode) return Status::ResourceExhausted("HnswIndex::Add: more than 2^32-1 vectors");
  std::unique_lock lock(mu_);
  try {
    h.resizeIndex(std::min<size_t>(kNoNode, std::max(needed, 2 * h.max_elements_)));
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::ResourceExhausted(std::string("HnswIndex::Add: cannot grow the graph: ") + e.what());
  }
}

Status HnswIndex::Insert(const size_t* rows, size_t count, const float* x, const uint64_t* labels, int threads) {
  Hnsw* h = graph_->hnsw.get();
  size_t first = 0;
  // The first vector of an empty graph becomes its entry point: insert it before other threads start.
  if (count > 0 && h->enterpoint_node_ == kNoNode) {
    if (Status s = AddPoint(h, x + rows[0] * dim_, labels[rows[0]]); !s.ok()) return s;
    first = 1;
  }
  std::atomic<size_t> next{first};
  std::mutex error_mu;
  Status error;
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) {
      Status s = AddPoint(h, x + rows[i] * dim_, labels[rows[i]]);
      if (s.ok()) continue;
      std::lock_guard guard(error_mu);
      if (error.ok()) error = std::move(s);
      next = count;  // the other threads stop at their next row
    }
  };
  const size_t helpers = std::min<size_t>(threads, (count - first) / kMinRowsPerThread + 1) - 1;
  std::vector<std::thread> pool;
  try {
    for (size_t t = 0; t < helpers; ++t) pool.emplace_back(work);
  } catch (const std::system_error&) {
    // Fewer threads than asked for: the ones running (and this one) insert every row regardless.
  }
  work();
  for (std::thread& t : pool) t.join();
  return error;
}

void HnswIndex::SearchOne(const float* q, size_t k, uint64_t* labels, float* scores) const {
  const Hnsw& h = *graph_->hnsw;
  size_t found = 0;
  const tableint entry = h.enterpoint_node_;
  if (entry != kNoNode) {
    ResultHeap top = SearchBottomLayer(h, GreedyDescend(h, q, entry), q, std::max(ef_search(), k));
    while (top.size() > k) top.pop();
    found = top.size();
    for (size_t j = found; j-- > 0; top.pop()) {  // the queue yields the worst first
      labels[j] = h.getExternalLabel(top.top().second);
      scores[j] = 1.0f - top.top().first;  // hnswlib's inner-product distance is 1 - <q, x>
    }
  }
  std::fill(labels + found, labels + k, kNoLabel);
  std::fill(scores + found, scores + k, -std::numeric_limits<float>::infinity());
}

Status HnswIndex::Search(size_t n, const float* q, size_t k, uint64_t* labels, float* scores) const {
  if (Status s = CheckArrays(n * k, q, labels, "HnswIndex::Search"); !s.ok()) return s;
  if (n * k > 0 && scores == nullptr) return Status::InvalidArgument("HnswIndex::Search: null scores");
  std::shared_lock lock(mu_);
  try {
    for (size_t i = 0; i < n && k > 0; ++i) SearchOne(q + i * dim_, k, labels + i * k, scores + i * k);
    return Status::Ok();
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("HnswIndex::Search: out of memory");
  }
}

Status HnswIndex::OptimizeLayout() {
  std::lock_guard add(add_mu_);
  std::unique_lock lock(mu_);
  try {
    Renumber(graph_->hnsw.get(), LocalityOrder(*graph_->hnsw));
    return Status::Ok();
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("HnswIndex::OptimizeLayout: out of memory");
  }
}

Status HnswIndex::Save(const std::string& path) const {
  std::lock_guard add(add_mu_);
  std::shared_lock lock(mu_);
  Result<IndexFileWriter> writer = IndexFileWriter::Create(path);
  if (!writer.ok()) return writer.status();
  const Hnsw& h = *graph_->hnsw;
  Status s = WriteGraph(h, &*writer);
  if (s.ok()) s = writer->Commit({IndexKind::kHnsw, static_cast<uint32_t>(dim_), h.cur_element_count});
  return s;
}

}  // namespace segue::recommend
