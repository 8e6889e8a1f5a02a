#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <thread>

namespace segue {
namespace {

Track MakeTrack(std::string id, std::string artist, std::vector<std::string> genres) {
  Track t;
  t.track_id = std::move(id);
  t.title = "Title";
  t.artist = std::move(artist);
  t.genres = std::move(genres);
  t.language = "EN";
  t.duration_ms = 201000;
  t.popularity = 66.6f;
  t.explicit_content = true;
  t.audio_features = {0.5f, 0.25f};
  return t;
}

TEST(GenreBucketTest, MapsCommonGenresOntoSevenBuckets) {
  struct Case {
    const char* genre;
    const char* bucket;
  };
  const Case cases[] = {
      {"pop", "pop"}, {"Dance Pop", "pop"}, {"post-teen pop", "pop"}, {"electropop", "pop"}, {"K-Pop", "pop"},
      {"indie poptimism", "pop"}, {"rock", "rock"}, {"Hard Rock", "rock"}, {"permanent wave", "rock"},
      {"heavy_metal", "rock"}, {"pop punk", "rock"}, {"indie", "rock"}, {"rap", "hip-hop"},
      {"Hip Hop", "hip-hop"}, {"hip-hop", "hip-hop"}, {"gangster rap", "hip-hop"}, {"trap", "hip-hop"},
      {"pop rap", "hip-hop"}, {"edm", "electronic"}, {"electro house", "electronic"}, {"big room", "electronic"},
      {"pop edm", "electronic"}, {"techno", "electronic"}, {"r&b", "r&b"}, {"R&B", "r&b"}, {"neo soul", "r&b"},
      {"new jack swing", "r&b"}, {"urban contemporary", "r&b"}, {"latin", "latin"}, {"latin hip hop", "latin"},
      {"reggaeton", "latin"}, {"tropical", "latin"}, {"jazz", "other"}, {"classical", "other"},
      {"country", "other"}, {"dancehall", "other"}, {"  Blues  ", "other"}, {"", "unknown"},
      {"zzz", "unknown"}, {"---", "unknown"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(GenreBucketName(GenreBucket(c.genre)), c.bucket) << c.genre;
  }
  for (uint16_t b = 1; b < kGenreBuckets; ++b) EXPECT_NE(GenreBucketName(b), "unknown");
  EXPECT_EQ(GenreBucketName(kGenreBuckets), "unknown");
}

TEST(CatalogTest, InternsAndDescribesKnownTracks) {
  Catalog catalog;
  EXPECT_EQ(catalog.size(), 0u);
  catalog.Upsert(MakeTrack("t1", "Abba", {"unheard-of", "Dance Pop"}));
  EXPECT_EQ(catalog.size(), 1u);
  const uint32_t id = catalog.FindTrack("t1");
  ASSERT_NE(id, 0u);
  EXPECT_EQ(catalog.InternTrack("t1"), id);
  EXPECT_EQ(catalog.TrackIdOf(id), "t1");
  const TrackMeta m = catalog.Meta(id);
  EXPECT_TRUE(m.known);
  EXPECT_EQ(m.artist, catalog.InternArtist("Abba"));
  EXPECT_NE(m.artist, 0u);
  EXPECT_EQ(m.genre, GenreBucket("pop"));  // first recognised genre
  EXPECT_NE(m.language, 0);
  EXPECT_EQ(m.popularity, 67);
  EXPECT_EQ(m.duration_ms, 201000u);
  EXPECT_TRUE(m.explicit_content);
  ASSERT_TRUE(catalog.Get("t1").has_value());
  EXPECT_EQ(*catalog.Get("t1"), MakeTrack("t1", "Abba", {"unheard-of", "Dance Pop"}));

  // Same artist, language case-insensitive: the same interned ids.
  Track t2 = MakeTrack("t2", "Abba", {"rock"});
  t2.language = "en";
  catalog.Upsert(t2);
  EXPECT_EQ(catalog.Meta(catalog.FindTrack("t2")).artist, m.artist);
  EXPECT_EQ(catalog.Meta(catalog.FindTrack("t2")).language, m.language);
}

TEST(CatalogTest, UpsertReplacesAndKeepsTheId) {
  Catalog catalog;
  EXPECT_TRUE(catalog.Upsert(MakeTrack("t1", "A", {"pop"})));
  EXPECT_FALSE(catalog.Upsert(MakeTrack("t1", "A", {"pop"})));  // the same record: nothing changed
  const uint32_t id = catalog.FindTrack("t1");
  Track replaced = MakeTrack("t1", "B", {"jazz"});
  replaced.popularity = 1000;  // clamped in the meta
  EXPECT_TRUE(catalog.Upsert(replaced));
  EXPECT_EQ(catalog.size(), 1u);
  EXPECT_EQ(catalog.FindTrack("t1"), id);
  EXPECT_EQ(catalog.Get("t1")->artist, "B");
  EXPECT_EQ(catalog.Meta(id).genre, GenreBucket("jazz"));
  EXPECT_EQ(catalog.Meta(id).popularity, 100);
}

TEST(CatalogTest, UnknownTracksGetIdsButNoMetadata) {
  Catalog catalog;
  EXPECT_EQ(catalog.FindTrack("ghost"), 0u);
  const uint32_t id = catalog.InternTrack("ghost");
  ASSERT_NE(id, 0u);
  EXPECT_EQ(catalog.FindTrack("ghost"), id);
  EXPECT_EQ(catalog.TrackIdOf(id), "ghost");
  EXPECT_FALSE(catalog.Meta(id).known);
  EXPECT_FALSE(catalog.Get("ghost").has_value());
  EXPECT_EQ(catalog.size(), 0u);
  // Later catalog data for an interned track fills its meta in place.
  catalog.Upsert(MakeTrack("ghost", "A", {"rock"}));
  EXPECT_EQ(catalog.FindTrack("ghost"), id);
  EXPECT_TRUE(catalog.Meta(id).known);
  // Id 0 and ids never handed out are unknown.
  EXPECT_FALSE(catalog.Meta(0).known);
  EXPECT_FALSE(catalog.Meta(999999).known);
  EXPECT_EQ(catalog.TrackIdOf(0), "");
  EXPECT_EQ(catalog.TrackIdOf(999999), "");
  EXPECT_EQ(catalog.InternTrack(""), 0u);
  EXPECT_EQ(catalog.InternArtist(""), 0u);
}

TEST(CatalogTest, ConcurrentInterningHandsOutOneIdPerString) {
  Catalog catalog;
  std::vector<std::vector<uint32_t>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        seen[t].push_back(catalog.InternTrack("t" + std::to_string(i)));
        if (i % 100 == 0) catalog.Upsert(MakeTrack("c" + std::to_string(i), "A", {"pop"}));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(seen[t], seen[0]);
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(catalog.TrackIdOf(seen[0][i]), "t" + std::to_string(i));
  EXPECT_EQ(catalog.size(), 20u);
}

}  // namespace
}  // namespace segue
