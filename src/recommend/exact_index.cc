#include "recommend/exact_index.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <utility>

#include "recommend/index_file.h"
#include "recommend/inner_product.h"

namespace segue::recommend {

namespace {

// Rows scanned per block: 128 KiB of vectors stays in L2 while every query of the call passes over it,
// so a batch of queries reads the matrix from memory once instead of once per query.
constexpr size_t kBlockBytes = 128 * 1024;

Status CheckArgs(size_t n, const void* a, const void* b, const char* what) {
  if (n > 0 && (a == nullptr || b == nullptr)) return Status::InvalidArgument(std::string(what) + ": null array");
  return Status::Ok();
}

}  // namespace

// The k best (score, row) pairs seen so far; the worst sits at the heap's front.
struct ExactIndex::TopK {
  struct Hit {
    float score;
    size_t row;
  };
  static bool Better(const Hit& a, const Hit& b) { return a.score > b.score || (a.score == b.score && a.row < b.row); }

  size_t k = 0;
  std::vector<Hit> heap;

  void Push(float score, size_t row) {
    const Hit hit{score, row};
    if (heap.size() < k) {
      heap.push_back(hit);
      std::push_heap(heap.begin(), heap.end(), Better);
    } else if (Better(hit, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), Better);
      heap.back() = hit;
      std::push_heap(heap.begin(), heap.end(), Better);
    }
  }
};

ExactIndex::ExactIndex(int dim) : dim_(dim) {}

size_t ExactIndex::size() const {
  std::shared_lock lock(mu_);
  return labels_.size();
}

Status ExactIndex::Add(size_t n, const float* x, const uint64_t* labels) {
  if (dim_ <= 0) return Status::InvalidArgument("ExactIndex: dim must be positive, got " + std::to_string(dim_));
  if (Status s = CheckArgs(n, x, labels, "ExactIndex::Add"); !s.ok()) return s;
  for (size_t i = 0; i < n; ++i) {
    if (labels[i] == kNoLabel) return Status::InvalidArgument("ExactIndex::Add: kNoLabel is not a label");
  }
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < n; ++i) AddLocked(x + i * dim_, labels[i]);
  return Status::Ok();
}

void ExactIndex::AddLocked(const float* v, uint64_t label) {
  auto [it, inserted] = row_of_.try_emplace(label, labels_.size());
  if (inserted) {
    labels_.push_back(label);
    vectors_.insert(vectors_.end(), v, v + dim_);
  } else {
    std::copy(v, v + dim_, vectors_.begin() + static_cast<ptrdiff_t>(it->second * dim_));
  }
}

void ExactIndex::ScanRows(size_t begin, size_t end, const float* q, std::vector<TopK>* tops) const {
  for (size_t qi = 0; qi < tops->size(); ++qi) {
    const float* query = q + qi * dim_;
    TopK& top = (*tops)[qi];
    for (size_t row = begin; row < end; ++row) {
      top.Push(PortableInnerProduct(query, vectors_.data() + row * dim_, static_cast<size_t>(dim_)), row);
    }
  }
}

Status ExactIndex::Search(size_t n, const float* q, size_t k, uint64_t* labels, float* scores) const {
  if (Status s = CheckArgs(n * k, q, labels, "ExactIndex::Search"); !s.ok()) return s;
  if (n * k > 0 && scores == nullptr) return Status::InvalidArgument("ExactIndex::Search: null scores");
  if (n == 0 || k == 0 || dim_ <= 0) return Status::Ok();  // an index of no dimension holds nothing
  std::shared_lock lock(mu_);
  const size_t rows = labels_.size();
  std::vector<TopK> tops(n);
  for (TopK& t : tops) {
    t.k = std::min(k, rows);
    t.heap.reserve(t.k);
  }
  const size_t block = std::max<size_t>(1, kBlockBytes / (sizeof(float) * dim_));
  for (size_t begin = 0; begin < rows; begin += block) ScanRows(begin, std::min(rows, begin + block), q, &tops);
  for (size_t qi = 0; qi < n; ++qi) {
    std::vector<TopK::Hit>& heap = tops[qi].heap;
    std::sort_heap(heap.begin(), heap.end(), TopK::Better);
    for (size_t j = 0; j < k; ++j) {
      const bool hit = j < heap.size();
      labels[qi * k + j] = hit ? labels_[heap[j].row] : kNoLabel;
      scores[qi * k + j] = hit ? heap[j].score : -std::numeric_limits<float>::infinity();
    }
  }
  return Status::Ok();
}

Status ExactIndex::Save(const std::string& path) const {
  std::shared_lock lock(mu_);
  Result<IndexFileWriter> writer = IndexFileWriter::Create(path);
  if (!writer.ok()) return writer.status();
  Status s = writer->Write(labels_.data(), labels_.size() * sizeof(uint64_t));
  if (s.ok()) s = writer->Write(vectors_.data(), vectors_.size() * sizeof(float));
  if (s.ok()) s = writer->Commit({IndexKind::kExact, static_cast<uint32_t>(dim_), labels_.size()});
  return s;
}

Result<std::unique_ptr<ExactIndex>> ExactIndex::Load(const std::string& path, int dim) {
  Result<IndexFileReader> reader = IndexFileReader::Open(path, IndexKind::kExact, dim);
  if (!reader.ok()) return reader.status();
  const uint64_t count = reader->info().count;
  const uint64_t row_bytes = sizeof(uint64_t) + sizeof(float) * static_cast<uint64_t>(dim);
  if (reader->payload_bytes() / row_bytes != count || reader->payload_bytes() % row_bytes != 0) {
    return reader->Corrupt(std::to_string(reader->payload_bytes()) + " payload bytes do not hold " +
                           std::to_string(count) + " rows");
  }
  auto index = std::make_unique<ExactIndex>(dim);
  index->labels_.resize(count);
  index->vectors_.resize(count * dim);
  Status s = reader->Read(index->labels_.data(), count * sizeof(uint64_t));
  if (s.ok()) s = reader->Read(index->vectors_.data(), index->vectors_.size() * sizeof(float));
  if (s.ok()) s = reader->Finish();
  if (!s.ok()) return s;
  index->row_of_.reserve(count);
  for (size_t row = 0; row < count; ++row) {
    const uint64_t label = index->labels_[row];
    if (label == kNoLabel || !index->row_of_.try_emplace(label, row).second) {
      return reader->Corrupt("label " + std::to_string(label) + " is invalid or repeated");
    }
  }
  return index;
}

}  // namespace segue::recommend
