// The time split (nothing of the test part reaches the fitted models), the queries (state before the
// play, history of earlier plays only, discovery), and the playlist hold-out.
#include "recommend/retrieval_eval.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "recommend/own_history.h"
#include "recommend/retrieval_baselines.h"
#include "tests/recommend/test_events.h"

namespace segue::recommend {
namespace {

using testing::Listen;

constexpr int64_t kMin = 60'000;
constexpr int64_t kDay = 24 * 60 * kMin;

// Listener "u": days 0..3 play a, b (training part: before day 3.2), then on day 4 a again and the new c.
// Listener "v": training plays of x only, then y on its last day.
std::vector<Event> TwoListeners() {
  std::vector<Event> ev;
  for (int d = 0; d < 4; ++d) {
    Listen(&ev, "u", "a", d * kDay, 3 * kMin, true);
    Listen(&ev, "u", "b", d * kDay + 4 * kMin, 3 * kMin, true);
  }
  Listen(&ev, "u", "a", 4 * kDay, 3 * kMin, true);
  Listen(&ev, "u", "skipme", 4 * kDay + 4 * kMin, 5'000, false);  // not engaged: no query
  Listen(&ev, "u", "c", 4 * kDay + 5 * kMin, 3 * kMin, true);
  Listen(&ev, "v", "x", 0, 3 * kMin, true);
  Listen(&ev, "v", "x", kDay, 3 * kMin, true);
  Listen(&ev, "v", "y", 2 * kDay, 3 * kMin, true);
  return ev;
}

// Records what each query carried.
class RecordingRetriever : public Retriever {
 public:
  struct Seen {
    std::vector<uint32_t> session_tracks;
    bool ongoing = false;
    std::vector<uint32_t> history_tracks;
    int64_t now_ms = 0;
  };
  std::string_view name() const override { return "recording"; }
  Status Retrieve(const RetrievalQuery& q, size_t, std::vector<Candidate>* out) const override {
    out->clear();
    Seen s;
    if (q.session != nullptr) {
      for (const PlayRecord& p : q.session->plays) s.session_tracks.push_back(p.track);
      s.ongoing = q.session->current() != nullptr;
    }
    if (q.history != nullptr) {
      for (const HistoryEntry& e : q.history->tracks) s.history_tracks.push_back(e.track);
    }
    s.now_ms = q.now_ms;
    seen.push_back(s);
    return Status::Ok();
  }
  mutable std::vector<Seen> seen;
};

TEST(RetrievalEvalTest, TrainingPartHoldsNoTestEvent) {
  Catalog catalog;
  const HistoryCorpus corpus(TwoListeners());
  ASSERT_EQ(corpus.listeners(), 2u);
  RetrievalEvalOptions options;
  std::vector<std::pair<std::string, int64_t>> seen;
  const TrainingSummary train = ReplayTrainingPart(corpus, &catalog, options, [&](const SessionState& s, const PlayRecord& p) {
    seen.emplace_back(catalog.TrackIdOf(p.track), PlayStartMs(s, p));
  });
  EXPECT_EQ(train.listeners, 2u);
  EXPECT_EQ(train.plays, seen.size());
  for (const auto& [track, start] : seen) {
    EXPECT_NE(track, "c");
    EXPECT_NE(track, "y");
    EXPECT_NE(track, "skipme");
  }
  // u's split: 0.8 of its 4 days 8 min; v's: 0.8 of 2 days 3 min.
  for (size_t l = 0; l < 2; ++l) {
    const int64_t split = corpus.SplitMs(l, options.train_fraction);
    const std::string user = corpus.events_of(l).front().user_id;
    for (const auto& [track, start] : seen) {
      if ((user == "u") == (track == "a" || track == "b")) {
        EXPECT_LT(start, split) << track;
      }
    }
  }
  // The popularity fitted on it never saw a test track.
  RetrievalBaselines baselines(&catalog);
  ReplayTrainingPart(corpus, &catalog, options, [&](const SessionState& s, const PlayRecord& p) { baselines.ObservePlay(s, p); });
  std::vector<Candidate> top;
  ASSERT_TRUE(baselines.popularity().Retrieve({}, 10, &top).ok());
  for (const Candidate& c : top) EXPECT_TRUE(catalog.TrackIdOf(c.track) == "a" || catalog.TrackIdOf(c.track) == "b" || catalog.TrackIdOf(c.track) == "x");
}

TEST(RetrievalEvalTest, QueriesSeeTheStateBeforeThePlayAndEarlierHistoryOnly) {
  Catalog catalog;
  const HistoryCorpus corpus(TwoListeners());
  RetrievalEvalOptions options;
  options.bootstrap_resamples = 0;
  RecordingRetriever recording;
  const OwnHistoryRetriever own;
  const std::vector<const Retriever*> retrievers = {&recording, &own};
  Result<HistoryEvalReport> r = EvaluateHistories(corpus, &catalog, retrievers, options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // u: a (repeat) and c (new); v: y (new). The skipped play is no query.
  EXPECT_EQ(r->queries, 3u);
  EXPECT_EQ(r->discovery_queries, 2u);
  ASSERT_EQ(recording.seen.size(), 3u);
  const uint32_t a = catalog.FindTrack("a"), c = catalog.FindTrack("c"), skip = catalog.FindTrack("skipme");
  // Query for c: the session holds a and the skipped play, nothing ongoing; the history has a, b, skipme.
  const RecordingRetriever::Seen& qc = recording.seen[1];
  EXPECT_EQ(qc.session_tracks, (std::vector<uint32_t>{a, skip}));
  EXPECT_FALSE(qc.ongoing);
  EXPECT_EQ(std::count(qc.history_tracks.begin(), qc.history_tracks.end(), c), 0);
  EXPECT_EQ(qc.history_tracks.size(), 3u);
  EXPECT_EQ(qc.now_ms, 4 * kDay + 5 * kMin);
  // own_history finds the repeat, never the new tracks.
  const ModelMetrics& m = r->models[1];
  EXPECT_EQ(m.name, "own_history");
  EXPECT_DOUBLE_EQ(m.all.mean[kRecall10], 1.0 / 3);
  EXPECT_EQ(m.all.groups, 2u);
  EXPECT_EQ(m.discovery.queries, 2u);
  EXPECT_EQ(m.discovery.mean[kRecall100], 0.0);
}

TEST(RetrievalEvalTest, PlaylistsHoldOutTheirLastTracksAndExcludeTheContext) {
  Catalog catalog;
  RetrievalEvalOptions options;
  options.bootstrap_resamples = 0;
  options.holdout_fraction = 0.5;
  options.min_playlist_tracks = 4;
  // Find held-out and training ids under the hash rule.
  std::vector<std::string> held, train;
  for (int i = 0; held.size() < 1 || train.size() < 3; ++i) {
    PlaylistTracks p;
    p.playlist_id = "p";
    p.playlist_id += std::to_string(i);
    (IsHeldOutPlaylist(p, options) ? held : train).push_back(p.playlist_id);
  }
  auto ids = [&](std::vector<std::string> names) {
    std::vector<uint32_t> out;
    for (const std::string& n : names) out.push_back(catalog.InternTrack(n));
    return out;
  };
  std::vector<PlaylistTracks> playlists = {
      {train[0], 0, ids({"s1", "s2", "s3", "s4"})},
      {train[1], 0, ids({"s1", "s2", "s3", "s4"})},
      {train[2], 0, ids({"s1", "s2", "z"})},
      {held[0], 0, ids({"s1", "s2", "s3", "s4"})},  // context s1 s2; targets s3 s4
  };
  RetrievalBaselines baselines(&catalog);
  EXPECT_EQ(ForEachTrainingPlaylist(playlists, options, [&](const PlaylistTracks& p) { baselines.ObservePlaylist(p.tracks, 0); }),
            3u);
  RecordingRetriever recording;
  const std::vector<const Retriever*> retrievers = {&baselines.session_knn(), &baselines.popularity(), &recording};
  Result<PlaylistEvalReport> r = EvaluatePlaylists(playlists, retrievers, options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->queries, 1u);
  EXPECT_EQ(r->targets, 2u);
  EXPECT_EQ(r->targets_in_training, 2u);
  ASSERT_EQ(recording.seen.size(), 1u);
  EXPECT_EQ(recording.seen[0].session_tracks, ids({"s1", "s2"}));  // the context: all but the last half
  EXPECT_TRUE(recording.seen[0].history_tracks.empty());
  // Popularity, context removed: s3 (2), s4 (2), z (1): both targets in the top 2.
  EXPECT_EQ(r->models[1].all.mean[kRPrecision], 1.0);
  EXPECT_EQ(r->models[0].all.mean[kRecall10], 1.0);
}

}  // namespace
}  // namespace segue::recommend
