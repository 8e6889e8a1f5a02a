// TrackIndexer: a track posted while serving is embedded by the served song tower and inserted into the
// served index (a retrieval candidate at once), an update replaces its vector under the same label,
// inserts run concurrently with Retrieve, and a newly adopted bundle gets every track it lacks (and every
// update) before it is published.
#include "recommend/track_indexer.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../log/test_util.h"
#include "../models/tiny_retrieval_bundle.h"
#include "models/retrieval_bundle.h"
#include "recommend/hnsw_index.h"
#include "recommend/two_tower_retriever.h"

namespace segue::recommend {
namespace {

class TrackIndexerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(SaveRetrievalBundle(segue::testing::TinyRetrievalBundle(), dir_.path() + "/v1").ok());
    for (int i = 0; i < 30; ++i) catalog_.Upsert(MakeTrack(segue::testing::NumberedId("t", i), i % 4));
  }

  static Track MakeTrack(const std::string& id, int artist) {
    Track t;
    t.track_id = id;
    t.artist = segue::testing::NumberedId("a", artist);
    return t;
  }

  // A freshly loaded v1 (the bundle's 30 tracks, none posted since) as an indexer target.
  SongIndexTarget Load() {
    Result<RetrievalModel> m = LoadRetrievalModel(dir_.path() + "/v1");
    EXPECT_TRUE(m.ok()) << m.status().message();
    model_ = std::move(*m);
    return {model_.song, model_.index, TrackLabels::Intern(model_.track_ids, &catalog_)};
  }

  // Upserts as POST /v1/tracks does and tells the indexer about the changed tracks.
  void Post(const std::vector<Track>& tracks) {
    std::vector<uint32_t> changed;
    for (const Track& t : tracks) {
      if (catalog_.Upsert(t)) changed.push_back(catalog_.FindTrack(t.track_id));
    }
    indexer_.OnTracksChanged(changed);
  }

  std::vector<float> Embedding(const SongIndexTarget& target, const Track& t) {
    std::vector<float> v(static_cast<size_t>(target.song->dim()));
    target.song->EmbedTrack(t, v.data());
    return v;
  }

  // The best label for query `v` and its score.
  std::pair<uint64_t, float> Nearest(const SongIndexTarget& target, const std::vector<float>& v) {
    uint64_t label = kNoLabel;
    float score = 0;
    EXPECT_TRUE(target.index->Search(1, v.data(), 1, &label, &score).ok());
    return {label, score};
  }

  segue::testing::TempDir dir_;
  Catalog catalog_;
  RetrievalModel model_;
  TrackIndexer indexer_{&catalog_, [](const Status& s) { ADD_FAILURE() << s.message(); }};
};

TEST_F(TrackIndexerTest, PostedTrackIsEmbeddedBySongTowerAndRetrievable) {
  SongIndexTarget target = Load();
  Result<size_t> caught = indexer_.Adopt(target, [] {});
  ASSERT_TRUE(caught.ok()) << caught.status().message();
  EXPECT_EQ(*caught, 0u);  // the catalog holds nothing the bundle lacks

  Track fresh = MakeTrack("new", 9);
  fresh.genres = {"rock"};
  Post({fresh});
  indexer_.Flush();
  const uint32_t id = catalog_.FindTrack("new");
  ASSERT_EQ(target.labels->LabelOf(id), uint64_t{30});
  EXPECT_EQ(target.index->size(), 31u);
  EXPECT_EQ(indexer_.inserted(), 1u);
  // Its vector is the song tower's output: querying with that output finds it, with cosine 1.
  auto [label, score] = Nearest(target, Embedding(target, fresh));
  EXPECT_EQ(label, 30u);
  EXPECT_NEAR(score, 1.0f, 1e-5f);
  // And the retriever resolves it: asked for every vector, it returns the new track among them.
  TwoTowerRetriever retriever(model_.user, target.index, target.labels, &catalog_);
  RetrievalQuery query;
  query.now_ms = 1'700'000'000'000;
  std::vector<Candidate> got;
  ASSERT_TRUE(retriever.Retrieve(query, 31, &got).ok());
  EXPECT_EQ(got.size(), 31u);
  EXPECT_TRUE(std::any_of(got.begin(), got.end(), [&](const Candidate& c) { return c.track == id; }));
}

TEST_F(TrackIndexerTest, UpdateReplacesTheVectorUnderTheSameLabel) {
  SongIndexTarget target = Load();
  ASSERT_TRUE(indexer_.Adopt(target, [] {}).ok());
  Track t = MakeTrack("new", 9);
  Post({t});
  indexer_.Flush();
  Post({t});  // unchanged: not queued again
  indexer_.Flush();
  EXPECT_EQ(indexer_.inserted() + indexer_.replaced(), 1u);

  const std::vector<float> before = Embedding(target, t);
  t.artist = "someone else";
  t.popularity = 90;
  Post({t});
  indexer_.Flush();
  EXPECT_EQ(indexer_.replaced(), 1u);
  EXPECT_EQ(target.index->size(), 31u);
  EXPECT_EQ(target.labels->size(), 31u);
  const std::vector<float> after = Embedding(target, t);
  ASSERT_NE(before, after);
  auto [label, score] = Nearest(target, after);
  EXPECT_EQ(label, 30u);
  EXPECT_NEAR(score, 1.0f, 1e-5f);
  // A bundle track's update replaces its vector too.
  Track t3 = MakeTrack("t3", 1);
  t3.genres = {"latin"};
  Post({t3});
  indexer_.Flush();
  auto [label3, score3] = Nearest(target, Embedding(target, t3));
  EXPECT_EQ(label3, 3u);
  EXPECT_NEAR(score3, 1.0f, 1e-5f);
}

TEST_F(TrackIndexerTest, ARecordWhoseVectorIsUnchangedIsNotRewritten) {
  SongIndexTarget target = Load();
  ASSERT_TRUE(indexer_.Adopt(target, [] {}).ok());
  // The title is not a song-tower input: the record changed, its vector did not (a catalog re-posted
  // after the bundle was trained on it).
  Track t5 = MakeTrack("t5", 1);
  t5.title = "renamed";
  Post({t5});
  indexer_.Flush();
  EXPECT_EQ(indexer_.unchanged(), 1u);
  EXPECT_EQ(indexer_.replaced(), 0u);
  EXPECT_EQ(indexer_.inserted(), 0u);
  EXPECT_EQ(target.index->size(), 30u);
}

TEST_F(TrackIndexerTest, InsertsWhileRetrieving) {
  SongIndexTarget target = Load();
  ASSERT_TRUE(indexer_.Adopt(target, [] {}).ok());
  TwoTowerRetriever retriever(model_.user, target.index, target.labels, &catalog_);
  std::atomic<bool> done{false};
  std::atomic<size_t> bad{0};
  auto reader = [&] {
    RetrievalQuery query;
    query.now_ms = 1'700'000'000'000;
    std::vector<Candidate> got;
    while (!done.load()) {
      if (!retriever.Retrieve(query, 20, &got).ok()) ++bad;
      for (const Candidate& c : got) {
        if (c.track == 0 || !catalog_.Get(catalog_.TrackIdOf(c.track))) ++bad;
      }
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) readers.emplace_back(reader);
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<Track> tracks;
    for (int i = 0; i < 25; ++i) tracks.push_back(MakeTrack(segue::testing::NumberedId("n", batch * 25 + i), i));
    Post(tracks);
  }
  indexer_.Flush();
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_EQ(target.index->size(), 530u);
  EXPECT_EQ(target.labels->size(), 530u);
  EXPECT_EQ(indexer_.inserted(), 500u);
  // Every inserted track resolves through the retriever made before the inserts.
  RetrievalQuery query;
  query.now_ms = 1'700'000'000'000;
  std::vector<Candidate> all;
  ASSERT_TRUE(retriever.Retrieve(query, 530, &all).ok());
  EXPECT_EQ(all.size(), 530u);
}

TEST_F(TrackIndexerTest, AdoptedBundleGetsPostedTracksBeforeItIsPublished) {
  // Posted before any bundle serves: kept for the first Adopt.
  Post({MakeTrack("early", 5)});
  indexer_.Flush();
  SongIndexTarget v1 = Load();
  Result<size_t> caught = indexer_.Adopt(v1, [] {});
  ASSERT_TRUE(caught.ok());
  EXPECT_EQ(*caught, 1u);
  EXPECT_TRUE(v1.labels->LabelOf(catalog_.FindTrack("early")).has_value());

  // While v1 serves: a new track and an update of a bundle track.
  Track added = MakeTrack("added", 6);
  Track t7 = MakeTrack("t7", 2);
  t7.language = "fr";
  Post({added, t7});
  indexer_.Flush();

  // The swap: v2 is the bundle as trained, without them. Published only once it holds them.
  SongIndexTarget v2 = Load();
  ASSERT_EQ(v2.index->size(), 30u);
  size_t size_at_publish = 0;
  caught = indexer_.Adopt(v2, [&] { size_at_publish = v2.index->size(); });
  ASSERT_TRUE(caught.ok());
  EXPECT_EQ(*caught, 3u);  // early, added, t7
  EXPECT_EQ(size_at_publish, 32u);
  for (const Track& t : {MakeTrack("early", 5), added, t7}) {
    const std::optional<uint64_t> label = v2.labels->LabelOf(catalog_.FindTrack(t.track_id));
    ASSERT_TRUE(label.has_value()) << t.track_id;
    auto [nearest, score] = Nearest(v2, Embedding(v2, t));
    EXPECT_EQ(nearest, *label) << t.track_id;
    EXPECT_NEAR(score, 1.0f, 1e-5f) << t.track_id;
  }
  // Later posts go to v2, not v1.
  Post({MakeTrack("later", 7)});
  indexer_.Flush();
  EXPECT_TRUE(v2.labels->LabelOf(catalog_.FindTrack("later")).has_value());
  EXPECT_FALSE(v1.labels->LabelOf(catalog_.FindTrack("later")).has_value());
}

// An update named just before a swap, whose batch the indexing thread may not have run yet, is in the
// new bundle's index when it starts serving. Repeated: the race it guards against is one of timing.
TEST_F(TrackIndexerTest, AnUpdateStillQueuedAtAdoptIsInTheNewBundleAtPublish) {
  ASSERT_TRUE(indexer_.Adopt(Load(), [] {}).ok());
  const char* languages[] = {"fr", "de", "es", "it", "pt"};
  for (int round = 0; round < 40; ++round) {
    Track t7 = MakeTrack("t7", 2);
    t7.language = languages[round % 5];
    SongIndexTarget next = Load();
    const std::vector<float> updated = Embedding(next, t7);
    Post({t7});  // then Adopt at once, no Flush: the batch is usually still queued
    std::pair<uint64_t, float> at_publish{kNoLabel, 0.f};
    ASSERT_TRUE(indexer_.Adopt(next, [&] { at_publish = Nearest(next, updated); }).ok());
    EXPECT_EQ(at_publish.first, next.labels->LabelOf(catalog_.FindTrack("t7")).value()) << "round " << round;
    EXPECT_NEAR(at_publish.second, 1.0f, 1e-5f) << "round " << round;
  }
}

TEST_F(TrackIndexerTest, AdoptRejectsATowerOfAnotherDimension) {
  SongIndexTarget target = Load();
  Result<std::unique_ptr<HnswIndex>> other = HnswIndex::Create(4, HnswOptions{});
  ASSERT_TRUE(other.ok());
  target.index = std::move(*other);
  bool published = false;
  EXPECT_EQ(indexer_.Adopt(target, [&] { published = true; }).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(published);
}

}  // namespace
}  // namespace segue::recommend
