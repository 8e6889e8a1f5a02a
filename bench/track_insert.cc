// Cost of a track posted while serving (docs/benchmarks.md, "New tracks into the served index"): on a
// loaded retrieval bundle (its HNSW index read from the bundle), per new track, interleaved on one thread:
// the song tower (SongEncoder::EmbedTrack), the insert of a new label (TrackLabels + HnswIndex::Add),
// the replace of that label's vector by an updated record's, the re-post of a record whose vector is
// unchanged (embed + TrackIndexer's check: a k=1 search finds the same vector), and, as the baseline in the same run, one
// served query (HnswIndex::Search of k candidates, the retriever's top-N). Medians of thread CPU time and
// of wall time. Then the whole path through TrackIndexer (OnTracksChanged → indexed, as POST /v1/tracks
// does), wall time per track, one track at a time. The first insert grows the graph (Load sizes it to
// the bundle): its own figure.
//
// Usage: track_insert BUNDLE_DIR [--tracks N] [--k K]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "models/retrieval_bundle.h"
#include "recommend/track_indexer.h"
#include "recommend/track_labels.h"

namespace segue::recommend {
namespace {

double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double WallUs() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Samples {
  std::vector<double> cpu, wall;
  template <typename Fn>
  void Time(Fn fn) {
    const double c = ThreadCpuUs(), w = WallUs();
    fn();
    cpu.push_back(ThreadCpuUs() - c);
    wall.push_back(WallUs() - w);
  }
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

Track NewTrack(size_t i, int version) {
  Track t;
  t.track_id = "bench-new-" + std::to_string(i);
  t.artist = "bench-artist-" + std::to_string(i % 50 + static_cast<size_t>(version) * 1000);
  t.genres = {i % 2 == 0 ? "pop" : "rock"};
  t.language = "en";
  t.release_date = "2026-11";
  t.popularity = static_cast<float>(i % 100);
  t.duration_ms = 200'000;
  return t;
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
  std::exit(1);
}

int Run(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: track_insert BUNDLE_DIR [--tracks N] [--k K]\n");
    return 2;
  }
  size_t n = 1000, k = 200;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--tracks") n = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--k") k = std::strtoull(argv[i + 1], nullptr, 10);
  }
  const double load_start = WallUs();
  Result<RetrievalModel> model = LoadRetrievalModel(argv[1]);
  Check(model.status(), "loading the bundle");
  Catalog catalog;
  std::shared_ptr<TrackLabels> labels = TrackLabels::Intern(model->track_ids, &catalog);
  std::printf("bundle %s: %zu tracks, %d-d, loaded + interned in %.1f s\n", argv[1], model->track_ids.size(),
              model->song->dim(), (WallUs() - load_start) / 1e6);

  const size_t dim = static_cast<size_t>(model->song->dim());
  std::vector<float> v(dim), updated(dim);
  std::vector<uint64_t> found(k);
  std::vector<float> scores(k);
  Samples embed, insert, replace, repost, search;
  for (size_t i = 0; i < n; ++i) {
    const Track t = NewTrack(i, 0);
    embed.Time([&] { model->song->EmbedTrack(t, v.data()); });
    uint64_t label = 0;
    insert.Time([&] {
      label = labels->LabelFor(catalog.InternTrack(t.track_id)).label;
      Check(model->index->Add(1, v.data(), &label), "insert");
    });
    model->song->EmbedTrack(NewTrack(i, 1), updated.data());
    replace.Time([&] { Check(model->index->Add(1, updated.data(), &label), "replace"); });
    uint64_t same = kNoLabel;
    float score = 0;
    repost.Time([&] {
      model->song->EmbedTrack(NewTrack(i, 1), updated.data());
      Check(model->index->Search(1, updated.data(), 1, &same, &score), "re-post check");
    });
    if (same != label) std::fprintf(stderr, "re-post check missed track %zu\n", i);
    search.Time([&] { Check(model->index->Search(1, v.data(), k, found.data(), scores.data()), "search"); });
  }
  std::printf("per track, %zu tracks (index %zu → %zu vectors), median µs CPU (wall):\n", n,
              model->track_ids.size(), model->index->size());
  std::printf("  embed (song tower)        %8.1f (%8.1f)\n", Median(embed.cpu), Median(embed.wall));
  std::printf("  insert (new label)        %8.1f (%8.1f); the first (grows the graph) %.0f (%.0f)\n",
              Median(insert.cpu), Median(insert.wall), insert.cpu.front(), insert.wall.front());
  std::printf("  replace (updated record)  %8.1f (%8.1f)\n", Median(replace.cpu), Median(replace.wall));
  std::printf("  re-post, vector unchanged %8.1f (%8.1f)\n", Median(repost.cpu), Median(repost.wall));
  std::printf("  baseline: search k=%-4zu   %8.1f (%8.1f)\n", k, Median(search.cpu), Median(search.wall));

  // The path POST /v1/tracks takes: the handler's call returns at once; the indexing thread does the work.
  TrackIndexer indexer(&catalog, [](const Status& s) { Check(s, "indexing"); });
  Check(indexer.Adopt({model->song, model->index, labels}, [] {}).status(), "adopt");
  Samples posted, handed_off;
  for (size_t i = 0; i < n; ++i) {
    const Track t = NewTrack(n + i, 0);
    catalog.Upsert(t);
    const uint32_t id = catalog.FindTrack(t.track_id);
    posted.Time([&] {
      handed_off.Time([&] { indexer.OnTracksChanged({&id, 1}); });
      indexer.Flush();
    });
  }
  std::printf("through TrackIndexer, one track at a time, median µs wall: handler's call %.1f, indexed %.1f\n",
              Median(handed_off.wall), Median(posted.wall));
  return 0;
}

}  // namespace
}  // namespace segue::recommend

int main(int argc, char** argv) { return segue::recommend::Run(argc, argv); }
