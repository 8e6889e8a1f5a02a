#include "sim/synthetic_catalog.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "catalog/track_json.h"

namespace segue::sim {
namespace {

CatalogParams Params(uint32_t tracks) {
  CatalogParams p;
  p.tracks = tracks;
  return p;
}

TEST(SyntheticCatalogTest, SameSeedSameCatalogDifferentSeedDifferent) {
  SyntheticCatalog a = SyntheticCatalog::Generate(Params(500), 7);
  SyntheticCatalog b = SyntheticCatalog::Generate(Params(500), 7);
  SyntheticCatalog c = SyntheticCatalog::Generate(Params(500), 8);
  int differing = 0;
  for (uint32_t i = 0; i < 500; ++i) {
    EXPECT_EQ(a.ToTrack(i), b.ToTrack(i));
    differing += !(a.ToTrack(i) == c.ToTrack(i));
  }
  EXPECT_GT(differing, 490);
}

TEST(SyntheticCatalogTest, PopularityIsZipfLike) {
  SyntheticCatalog cat = SyntheticCatalog::Generate(Params(5000), 1);
  std::vector<double> w;
  for (uint32_t i = 0; i < cat.size(); ++i) w.push_back(cat.Weight(i));
  std::sort(w.rbegin(), w.rend());
  // Zipf with exponent 1: weight ∝ 1/rank; the top 1% of tracks get a large share of all plays.
  EXPECT_NEAR(w[0] / w[9], 10.0, 1e-6);
  double top = 0;
  for (int i = 0; i < 50; ++i) top += w[i];
  EXPECT_GT(top, 0.45);
  EXPECT_LT(top, 0.6);

  // Sampling follows the weights: the most popular track is drawn about 10× as often as the 10th.
  uint32_t first = 0, tenth = 0;
  for (uint32_t i = 0; i < cat.size(); ++i) {
    if (cat.track(i).popularity_rank == 0) first = i;
    if (cat.track(i).popularity_rank == 9) tenth = i;
  }
  SimRandom rng(3);
  int n_first = 0, n_tenth = 0;
  for (int i = 0; i < 200000; ++i) {
    uint32_t t = cat.SamplePopular(rng, -1);
    n_first += t == first;
    n_tenth += t == tenth;
  }
  EXPECT_NEAR(static_cast<double>(n_first) / n_tenth, 10.0, 2.0);
  // The popularity field (0..100) decreases with rank.
  EXPECT_EQ(cat.Popularity(first), 100.f);
  EXPECT_GT(cat.Popularity(first), cat.Popularity(tenth));
}

TEST(SyntheticCatalogTest, GenreSamplingStaysInGenre) {
  SyntheticCatalog cat = SyntheticCatalog::Generate(Params(2000), 1);
  SimRandom rng(5);
  for (int g = 0; g < kSimGenres; ++g) {
    for (int i = 0; i < 100; ++i) EXPECT_EQ(cat.track(cat.SamplePopular(rng, g)).genre, g);
  }
}

TEST(SyntheticCatalogTest, TrackFieldsAreRealisticAndValid) {
  CatalogParams p = Params(5000);
  SyntheticCatalog cat = SyntheticCatalog::Generate(p, 11);
  std::set<std::string> ids;
  int explicit_count = 0, rap = 0, rap_explicit = 0;
  std::set<std::string> languages;
  for (uint32_t i = 0; i < cat.size(); ++i) {
    Track t = cat.ToTrack(i);
    ids.insert(t.track_id);
    explicit_count += t.explicit_content;
    if (t.genres[0] == "rap") rap++, rap_explicit += t.explicit_content;
    languages.insert(t.language);
    EXPECT_GE(t.duration_ms, 60'000u);
    EXPECT_LE(t.duration_ms, 600'000u);
    EXPECT_LE(std::stoi(t.release_date.substr(0, 4)), p.reference_year);
    ASSERT_EQ(t.audio_features.size(), kAudioFeatureNames.size());
    EXPECT_GE(t.audio_features[10], 0.f);  // tempo
    EXPECT_LE(t.audio_features[10], 250.f);
    // What the simulator writes is what POST /v1/tracks accepts, unchanged.
    Result<Track> parsed = ParseTrackJson(TrackToJson(t));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(ids.size(), cat.size());
  const double share = static_cast<double>(explicit_count) / cat.size();
  EXPECT_GT(share, 0.12);
  EXPECT_LT(share, 0.25);
  EXPECT_GT(static_cast<double>(rap_explicit) / rap, 0.4);  // explicit content concentrates in rap
  EXPECT_GE(languages.size(), 5u);
  EXPECT_GT(cat.artist_count(), 400u);
}

}  // namespace
}  // namespace segue::sim
