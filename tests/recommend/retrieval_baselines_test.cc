// Each baseline on a hand-made case whose answer is known.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "recommend/artist_retriever.h"
#include "recommend/blend.h"
#include "recommend/own_history.h"
#include "recommend/popularity.h"
#include "recommend/retrieval_baselines.h"
#include "recommend/session_knn.h"
#include "tests/recommend/test_events.h"

namespace segue::recommend {
namespace {

using testing::SessionOf;

std::vector<uint32_t> Tracks(const Retriever& r, const RetrievalQuery& q, size_t n = 10) {
  std::vector<Candidate> out;
  EXPECT_TRUE(r.Retrieve(q, n, &out).ok());
  std::vector<uint32_t> tracks;
  for (const Candidate& c : out) tracks.push_back(c.track);
  return tracks;
}

void AddTrack(Catalog* catalog, const std::string& id, const std::string& artist, const std::string& genre) {
  Track t;
  t.track_id = id;
  t.artist = artist;
  t.genres = {genre};
  catalog->Upsert(t);
}

RetrievalQuery Q(const SessionState* session, const ListenerHistory* history = nullptr, int64_t now_ms = 0) {
  RetrievalQuery q;
  q.session = session;
  q.history = history;
  q.now_ms = now_ms;
  return q;
}

PlayRecord Engaged(uint32_t track) {
  PlayRecord p;
  p.track = track;
  p.end = PlayEnd::kCompleted;
  return p;
}

TEST(PopularityTest, CountsEngagedPlaysOnly) {
  Catalog catalog;
  PopularityModel model(&catalog);
  const PopularityRetriever global(model, PopularityScope::kGlobal);
  for (int i = 0; i < 3; ++i) model.ObservePlay(Engaged(5), 0);
  for (int i = 0; i < 2; ++i) model.ObservePlay(Engaged(6), 0);
  PlayRecord skipped;
  skipped.track = 7;
  skipped.end = PlayEnd::kSkipped;
  skipped.dwell_ms = 3'000;
  for (int i = 0; i < 9; ++i) model.ObservePlay(skipped, 0);
  EXPECT_EQ(Tracks(global, {}), (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(global.name(), "popularity");
}

TEST(PopularityTest, WithinTheSessionsGenresAndPerHour) {
  Catalog catalog;
  AddTrack(&catalog, "p1", "A", "pop");
  AddTrack(&catalog, "p2", "B", "pop");
  AddTrack(&catalog, "r1", "C", "rock");
  const uint32_t p1 = catalog.InternTrack("p1"), p2 = catalog.InternTrack("p2"), r1 = catalog.InternTrack("r1");
  PopularityModel model(&catalog);
  const int64_t hour = 3600 * 1000;
  for (int i = 0; i < 5; ++i) model.ObserveEngaged(r1, 3 * hour);   // rock: most popular, at 03:00
  for (int i = 0; i < 2; ++i) model.ObserveEngaged(p2, 15 * hour);  // pop, at 15:00
  model.ObserveEngaged(p1, 15 * hour);

  const PopularityRetriever genre(model, PopularityScope::kSessionGenres);
  const SessionState pop_session = SessionOf({p1});
  EXPECT_EQ(Tracks(genre, Q(&pop_session)), (std::vector<uint32_t>{p2, p1}));
  EXPECT_TRUE(Tracks(genre, {}).empty());  // no session, no genres

  const PopularityRetriever by_hour(model, PopularityScope::kHourOfDay);
  EXPECT_EQ(Tracks(by_hour, Q(nullptr, nullptr, 15 * hour + 60'000)), (std::vector<uint32_t>{p2, p1}));
  EXPECT_EQ(Tracks(by_hour, Q(nullptr, nullptr, 24 * hour + 3 * hour)), (std::vector<uint32_t>{r1}));
}

// A track the catalog moves to another genre or artist is listed once, under the new one.
TEST(PopularityTest, ATrackMovedInTheCatalogIsListedOnce) {
  Catalog catalog;
  AddTrack(&catalog, "m", "X", "pop");
  AddTrack(&catalog, "r", "Y", "rock");
  const uint32_t m = catalog.InternTrack("m"), r = catalog.InternTrack("r");
  PopularityModel model(&catalog);
  model.ObserveEngaged(m, 0);
  model.ObserveEngaged(r, 0);
  AddTrack(&catalog, "m", "Y", "rock");  // re-published under another artist and genre
  model.ObserveEngaged(m, 0);
  const PopularityRetriever genre(model, PopularityScope::kSessionGenres);
  const SessionState session = SessionOf({r});
  EXPECT_EQ(Tracks(genre, Q(&session)), (std::vector<uint32_t>{m, r}));
  const SessionState pop_session = SessionOf({catalog.InternTrack("p")});
  AddTrack(&catalog, "p", "Z", "pop");
  EXPECT_TRUE(Tracks(genre, Q(&pop_session)).empty());  // m left the pop list
  AddTrack(&catalog, "x", "X", "pop");
  const SessionState both_artists = SessionOf({r, catalog.InternTrack("x")});
  const ArtistRetriever artist(model);
  EXPECT_EQ(Tracks(artist, Q(&both_artists)), (std::vector<uint32_t>{m, r}));  // m no longer under X
}

TEST(SessionKnnTest, CoOccurrenceWithinSessionsRanksNeighbours) {
  SessionKnnOptions options;
  options.shrink = 0;
  SessionKnnRetriever knn(options);
  // 1 co-occurs with 2 in three sessions, with 3 in one; 4 is never with 1.
  for (int i = 0; i < 3; ++i) {
    const std::vector<uint32_t> s = {1, 2};
    knn.ObserveSequence(s);
  }
  const std::vector<uint32_t> s13 = {1, 3}, s45 = {4, 5};
  knn.ObserveSequence(s13);
  knn.ObserveSequence(s45);
  const SessionState session = SessionOf({1});
  EXPECT_EQ(Tracks(knn, Q(&session)), (std::vector<uint32_t>{2, 3}));
  EXPECT_TRUE(Tracks(knn, {}).empty());
}

TEST(SessionKnnTest, CosineFavoursSpecificNeighboursOverMerelyPopularOnes) {
  SessionKnnOptions options;
  options.shrink = 0;
  SessionKnnRetriever knn(options);
  // 1 meets 2 twice and 3 once; but 2 is everywhere (10 more sessions with others), 3 nowhere else.
  const std::vector<uint32_t> s12 = {1, 2}, s13 = {1, 3};
  knn.ObserveSequence(s12);
  knn.ObserveSequence(s12);
  knn.ObserveSequence(s13);
  for (uint32_t other = 10; other < 20; ++other) {
    const std::vector<uint32_t> s = {2, other};
    knn.ObserveSequence(s);
  }
  // score(2) = 2 / sqrt(3 × 12) = 0.33; score(3) = 1 / sqrt(3 × 1) = 0.58.
  const SessionState session = SessionOf({1});
  EXPECT_EQ(Tracks(knn, Q(&session), 2), (std::vector<uint32_t>{3, 2}));
}

TEST(SessionKnnTest, LearnsFromEngagedSessionPlaysOnly) {
  SessionKnnRetriever knn;
  SessionState s = SessionOf({1, 2, 3});
  s.plays[1].end = PlayEnd::kSkipped;
  s.plays[1].dwell_ms = 2'000;
  for (const PlayRecord& p : s.plays) knn.ObserveSessionPlay(s, p);  // 3 co-occurs with 1 only: 2 was skipped
  const SessionState q1 = SessionOf({1});
  EXPECT_EQ(Tracks(knn, Q(&q1)), (std::vector<uint32_t>{3}));
  const SessionState q3 = SessionOf({3});
  EXPECT_EQ(Tracks(knn, Q(&q3)), (std::vector<uint32_t>{1}));  // not 2
}

TEST(ArtistTest, MoreFromTheSessionsArtistsByPopularity) {
  Catalog catalog;
  AddTrack(&catalog, "x1", "X", "pop");
  AddTrack(&catalog, "x2", "X", "pop");
  AddTrack(&catalog, "x3", "X", "pop");
  AddTrack(&catalog, "y1", "Y", "pop");
  const uint32_t x1 = catalog.InternTrack("x1"), x2 = catalog.InternTrack("x2"), x3 = catalog.InternTrack("x3");
  const uint32_t y1 = catalog.InternTrack("y1");
  PopularityModel model(&catalog);
  for (int i = 0; i < 3; ++i) model.ObserveEngaged(x3, 0);
  model.ObserveEngaged(x2, 0);
  for (int i = 0; i < 9; ++i) model.ObserveEngaged(y1, 0);
  const ArtistRetriever artist(model);
  const SessionState session = SessionOf({x1});
  EXPECT_EQ(Tracks(artist, Q(&session)), (std::vector<uint32_t>{x3, x2}));
  const SessionState unknown = SessionOf({catalog.InternTrack("not-in-catalog")});
  EXPECT_TRUE(Tracks(artist, Q(&unknown)).empty());
}

TEST(OwnHistoryTest, MostPlayedAndMostRecentFirst) {
  const int64_t day = 24LL * 3600 * 1000;
  ListenerHistory h;
  h.tracks = {{1, 10, 10, 0, 100 * day},   // played often, 2 days ago
              {2, 1, 1, 0, 101 * day},     // once, yesterday
              {3, 1, 1, 0, 60 * day},      // once, long ago
              {4, 3, 0, 3, 101 * day}};    // only ever skipped
  const OwnHistoryRetriever own;
  const SessionState session = SessionOf({5}, 102 * day);  // a track of today's session, not yet in the history
  const RetrievalQuery q = Q(&session, &h, 102 * day + 1'000'000);
  EXPECT_EQ(Tracks(own, q), (std::vector<uint32_t>{1, 5, 2, 3, 4}));
  EXPECT_TRUE(Tracks(own, {}).empty());
}

class FixedRetriever : public Retriever {
 public:
  FixedRetriever(std::vector<Candidate> list, bool fail = false) : list_(std::move(list)), fail_(fail) {}
  std::string_view name() const override { return "fixed"; }
  Status Retrieve(const RetrievalQuery&, size_t n, std::vector<Candidate>* out) const override {
    if (fail_) return Status::Unavailable("no model");
    *out = list_;
    if (out->size() > n) out->resize(n);
    return Status::Ok();
  }

 private:
  std::vector<Candidate> list_;
  bool fail_;
};

TEST(BlendTest, WeightedSumOfMinMaxNormalisedScores) {
  const FixedRetriever a({{1, 10.f}, {2, 6.f}, {3, 2.f}});  // normalised 1, 0.5, 0
  const FixedRetriever b({{3, 0.9f}, {2, 0.5f}, {4, 0.1f}});  // normalised 1, 0.5, 0
  const FixedRetriever broken({}, /*fail=*/true);
  const BlendRetriever blend("blend", {{&a, 1.f}, {&b, 1.5f}, {&broken, 5.f}});
  std::vector<Candidate> out;
  ASSERT_TRUE(blend.Retrieve({}, 10, &out).ok());
  // 3: 0 + 1.5 = 1.5; 2: 0.5 + 0.75 = 1.25; 1: 1; 4: 0.
  const std::vector<Candidate> expected = {{3, 1.5f}, {2, 1.25f}, {1, 1.f}, {4, 0.f}};
  ASSERT_EQ(out.size(), expected.size());
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].track, expected[i].track) << i;
    EXPECT_NEAR(out[i].score, expected[i].score, 1e-5) << i;
  }
  const BlendRetriever all_broken("b", {{&broken, 1.f}});
  EXPECT_FALSE(all_broken.Retrieve({}, 10, &out).ok());
}

TEST(RetrievalBaselinesTest, OnlineObserveWhileRetrievingIsSafe) {
  Catalog catalog;
  RetrievalBaselines baselines(&catalog);
  std::thread writer([&] {
    for (uint32_t i = 0; i < 20000; ++i) {
      const SessionState s = SessionOf({1 + i % 50, 1 + (i * 7) % 50, 1 + (i * 13) % 50});
      baselines.ObservePlay(s, s.plays.back());
    }
  });
  const SessionState q = SessionOf({3, 4});
  size_t answered = 0;
  for (int i = 0; i < 2000; ++i) {
    for (const Retriever* r : baselines.All()) {
      std::vector<Candidate> out;
      ASSERT_TRUE(r->Retrieve(Q(&q), 20, &out).ok());
      answered += !out.empty();
    }
  }
  writer.join();
  EXPECT_GT(answered, 0u);
  EXPECT_EQ(baselines.popularity_model().engaged_plays(), 20000u);
}

}  // namespace
}  // namespace segue::recommend
