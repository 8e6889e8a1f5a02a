// ANN index at catalog scale (docs/benchmarks.md, "ANN index (issue #10)"): HnswIndex against ExactIndex
// on the same synthetic song embeddings, in one run.
//
// Data: sim::ClusteredEmbeddings (sim/synthetic_embeddings.h): N unit vectors of `dim` floats around
// `clusters` centres uniform on the sphere, noise of norm ≈ `spread`, fixed seed; the queries are the
// next Q rows of the same generator (held out, same distribution). Labels are the rows.
// Figures: HNSW build time (wall and CPU, with the threads used), resident memory before/after each
// index and bytes per vector, Save/Load time and file size, then for the exact index and for each
// ef_search: queries/s on one thread (all Q queries per pass, `repeats` interleaved rounds of a pass of
// each; median of wall and of thread CPU time) and recall@k of HNSW against the exact results, for the
// graph as built (insertion order) and for its loaded copy after HnswIndex::OptimizeLayout (the same
// graph, so the same recall: only the memory layout differs).
//
// Usage: ann_scale [--n N] [--queries Q] [--dim D] [--clusters C] [--spread S] [--m M]
//                  [--ef-construction E] [--threads T] [--ef A,B,C] [--k K] [--repeats R] [--dir PATH]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "recommend/exact_index.h"
#include "recommend/hnsw_index.h"
#include "recommend/index_recall.h"
#include "recommend/inner_product.h"
#include "sim/synthetic_embeddings.h"

namespace segue::recommend {
namespace {

struct Args {
  size_t n = 1'000'000;
  size_t queries = 1000;
  sim::EmbeddingOptions data{.dim = 64, .clusters = 10'000, .spread = 0.6, .seed = 1};
  HnswOptions hnsw{.m = 16, .ef_construction = 100, .ef_search = 100, .build_threads = 2};
  std::vector<size_t> ef = {100, 200, 400};
  size_t k = 100;
  int repeats = 3;
  std::string dir = "/tmp";
};

std::vector<size_t> ParseList(const std::string& s) {
  std::vector<size_t> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::strtoull(item.c_str(), nullptr, 10));
  return out;
}

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--n") a->n = std::strtoull(v, nullptr, 10);
    else if (flag == "--queries") a->queries = std::strtoull(v, nullptr, 10);
    else if (flag == "--dim") a->data.dim = std::atoi(v);
    else if (flag == "--clusters") a->data.clusters = std::strtoull(v, nullptr, 10);
    else if (flag == "--spread") a->data.spread = std::atof(v);
    else if (flag == "--m") a->hnsw.m = std::strtoull(v, nullptr, 10);
    else if (flag == "--ef-construction") a->hnsw.ef_construction = std::strtoull(v, nullptr, 10);
    else if (flag == "--threads") a->hnsw.build_threads = std::atoi(v);
    else if (flag == "--ef") a->ef = ParseList(v);
    else if (flag == "--k") a->k = std::strtoull(v, nullptr, 10);
    else if (flag == "--repeats") a->repeats = std::atoi(v);
    else if (flag == "--dir") a->dir = v;
    else return false;
  }
  return argc % 2 == 1;
}

double RssMiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0;
}

double Seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timing {
  double wall = 0;
  double cpu = 0;
};

Timing Time(clockid_t cpu_clock, const std::function<void()>& fn) {
  const double w0 = Seconds(CLOCK_MONOTONIC), c0 = Seconds(cpu_clock);
  fn();
  return {Seconds(CLOCK_MONOTONIC) - w0, Seconds(cpu_clock) - c0};
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// One pass: the Q queries on this thread, one query per call as the serving path does.
Timing SearchPass(const VectorIndex& index, const Args& a, const float* q, uint64_t* labels, float* scores) {
  return Time(CLOCK_THREAD_CPUTIME_ID, [&] {
    for (size_t i = 0; i < a.queries; ++i) {
      const size_t dim = static_cast<size_t>(a.data.dim);
      if (!index.Search(1, q + i * dim, a.k, labels + i * a.k, scores + i * a.k).ok()) std::abort();
    }
  });
}

// The passes of one index at one ef_search, and the labels its first pass returned.
struct Series {
  std::string name;
  const VectorIndex* index = nullptr;
  HnswIndex* hnsw = nullptr;  // null for the exact index
  size_t ef = 0;
  std::vector<double> qps_wall, qps_cpu;
  std::vector<uint64_t> labels;
};

// `repeats` rounds; each round runs one pass of every series in turn, so that the exact baseline and
// every HNSW variant meet the same load (the machine is shared). Medians are over the rounds.
void MeasureInterleaved(const Args& a, const float* queries, std::vector<Series>* series) {
  std::vector<uint64_t> labels(a.queries * a.k);
  std::vector<float> scores(a.queries * a.k);
  for (int r = 0; r < a.repeats; ++r) {
    for (Series& s : *series) {
      if (s.hnsw != nullptr) s.hnsw->set_ef_search(s.ef);
      const Timing t = SearchPass(*s.index, a, queries, labels.data(), scores.data());
      s.qps_wall.push_back(static_cast<double>(a.queries) / t.wall);
      s.qps_cpu.push_back(static_cast<double>(a.queries) / t.cpu);
      if (r == 0) s.labels = labels;
    }
  }
}

int Run(const Args& a) {
  const size_t dim = static_cast<size_t>(a.data.dim);
  std::printf("data: %zu vectors + %zu queries, dim %zu, %zu clusters, spread %.2f, seed %llu\n", a.n, a.queries,
              dim, a.data.clusters, a.data.spread, static_cast<unsigned long long>(a.data.seed));
  std::printf("hnsw: M %zu, ef_construction %zu, build threads %d; k %zu, repeats %d\n", a.hnsw.m,
              a.hnsw.ef_construction, a.hnsw.build_threads, a.k, a.repeats);
  std::vector<float> all = sim::ClusteredEmbeddings(a.n + a.queries, a.data);
  const float* queries = all.data() + a.n * dim;
  std::vector<uint64_t> labels(a.n);
  for (size_t i = 0; i < a.n; ++i) labels[i] = i;

  double rss = RssMiB();
  ExactIndex exact(a.data.dim);
  if (!exact.Add(a.n, all.data(), labels.data()).ok()) return 1;
  const double exact_mib = RssMiB() - rss;
  std::printf("exact: RSS +%.1f MiB (%.0f B/vector)\n", exact_mib, exact_mib * 1048576.0 / static_cast<double>(a.n));

  rss = RssMiB();
  Result<std::unique_ptr<HnswIndex>> hnsw = HnswIndex::Create(a.data.dim, a.hnsw);
  if (!hnsw.ok()) return 1;
  const Timing build = Time(CLOCK_PROCESS_CPUTIME_ID, [&] {
    if (!(*hnsw)->Add(a.n, all.data(), labels.data()).ok()) std::abort();
  });
  const double hnsw_mib = RssMiB() - rss;
  std::printf("hnsw build: %.1f s wall, %.1f s CPU (%d threads), %.0f vectors/s wall\n", build.wall, build.cpu,
              a.hnsw.build_threads, static_cast<double>(a.n) / build.wall);
  std::printf("hnsw: RSS +%.1f MiB (%.0f B/vector)\n", hnsw_mib, hnsw_mib * 1048576.0 / static_cast<double>(a.n));

  const std::string path = a.dir + "/ann_scale_hnsw.idx";
  const Timing save = Time(CLOCK_PROCESS_CPUTIME_ID, [&] {
    if (!(*hnsw)->Save(path).ok()) std::abort();
  });
  const double file_mib = static_cast<double>(std::filesystem::file_size(path)) / 1048576.0;
  Result<std::unique_ptr<HnswIndex>> loaded = Status::Internal("not loaded");
  const Timing load = Time(CLOCK_PROCESS_CPUTIME_ID, [&] { loaded = HnswIndex::Load(path, a.data.dim, a.hnsw); });
  if (!loaded.ok()) return 1;
  std::filesystem::remove(path);
  std::printf("save: %.1f s wall (fsync included), file %.1f MiB; load (validated, no rebuild): %.1f s wall, "
              "%.1f s CPU\n", save.wall, file_mib, load.wall, load.cpu);

  // The loaded copy is the same graph as the built one: it gets the locality layout, the built one
  // keeps insertion order, and the two are measured side by side.
  const Timing layout = Time(CLOCK_PROCESS_CPUTIME_ID, [&] {
    if (!(*loaded)->OptimizeLayout().ok()) std::abort();
  });
  std::printf("OptimizeLayout: %.1f s wall, %.1f s CPU; distance kernel: %s\n", layout.wall, layout.cpu,
              BestInnerProductName());
  std::vector<Series> series(1);
  series[0].name = "exact";
  series[0].index = &exact;
  for (HnswIndex* index : {hnsw->get(), loaded->get()}) {
    for (size_t ef : a.ef) {
      Series& s = series.emplace_back();
      s.name = index == hnsw->get() ? "insertion order" : "OptimizeLayout";
      s.index = s.hnsw = index;
      s.ef = ef;
    }
  }
  MeasureInterleaved(a, queries, &series);
  const Series& e = series[0];
  std::printf("exact: %.1f queries/s wall, %.1f queries/s CPU (one thread; median of %d, CPU range %.1f-%.1f)\n",
              Median(e.qps_wall), Median(e.qps_cpu), a.repeats,
              *std::min_element(e.qps_cpu.begin(), e.qps_cpu.end()), *std::max_element(e.qps_cpu.begin(), e.qps_cpu.end()));
  std::printf("| layout | ef_search | recall@%zu | queries/s wall | queries/s CPU | speed-up wall | speed-up CPU |\n", a.k);
  for (size_t i = 1; i < series.size(); ++i) {
    const Series& s = series[i];
    const double recall = RecallAtK(a.queries, a.k, e.labels.data(), s.labels.data());
    std::printf("| %s | %zu | %.4f | %.0f | %.0f | %.0fx | %.0fx |\n", s.name.c_str(), s.ef, recall,
                Median(s.qps_wall), Median(s.qps_cpu), Median(s.qps_wall) / Median(e.qps_wall),
                Median(s.qps_cpu) / Median(e.qps_cpu));
  }
  return 0;
}

}  // namespace
}  // namespace segue::recommend

int main(int argc, char** argv) {
  segue::recommend::Args args;
  if (!segue::recommend::ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr, "usage: see the comment at the top of bench/ann_scale.cc\n");
    return 2;
  }
  return segue::recommend::Run(args);
}
