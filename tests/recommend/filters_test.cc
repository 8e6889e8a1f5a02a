#include <gtest/gtest.h>

#include "common/time_util.h"
#include "recommend/diversity_filter.h"
#include "recommend/explicit_filter.h"
#include "recommend/freshness_filter.h"
#include "tests/recommend/recommend_fakes.h"

namespace segue::recommend {
namespace {

using testing::AddTracks;

constexpr int64_t kHour = 3600LL * 1000;
constexpr int64_t kNow = 1'790'000'000'000;  // 2026-09-21

std::vector<RankedTrack> Ranked(const std::vector<uint32_t>& tracks) {
  std::vector<RankedTrack> out;
  for (size_t i = 0; i < tracks.size(); ++i) out.push_back({tracks[i], static_cast<float>(tracks.size() - i), 0});
  return out;
}

std::vector<uint32_t> Tracks(const std::vector<RankedTrack>& items) {
  std::vector<uint32_t> out;
  for (const RankedTrack& t : items) out.push_back(t.track);
  return out;
}

PlayRecord Play(uint32_t track, int64_t offset_ms, PlayEnd end = PlayEnd::kCompleted) {
  PlayRecord p;
  p.track = track;
  p.start_offset_ms = static_cast<uint32_t>(offset_ms);
  p.end = end;
  return p;
}

class FiltersTest : public ::testing::Test {
 protected:
  // Applies `filter` with the fixture's query, options and preferences.
  std::vector<uint32_t> Run(const Filter& filter, const std::vector<uint32_t>& tracks, size_t k = 10) {
    const RetrievalQuery query{"u1", &session_, &history_, kNow};
    const FilterContext context{query, options_, prefs_, embeddings_, k};
    std::vector<RankedTrack> items = Ranked(tracks);
    filter.Apply(context, &items);
    last_ = items;
    return Tracks(items);
  }

  Catalog catalog_;
  SessionState session_;
  ListenerHistory history_;
  FilterOptions options_;
  preferences::Preferences prefs_;
  const EmbeddingLookup* embeddings_ = nullptr;
  std::vector<RankedTrack> last_;
};

TEST_F(FiltersTest, ExplicitTracksGoOnlyWhenTheListenerOptedOutAndTheFilterIsOn) {
  auto ids = AddTracks(catalog_, {{"clean", "a"}, {"dirty", "b", true}, {"clean2", "c"}});
  ExplicitFilter filter(catalog_);
  EXPECT_EQ(Run(filter, ids), ids);  // default preference: explicit allowed
  prefs_.explicit_content = false;
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[0], ids[2]}));
  options_.explicit_filter = false;  // per request: off
  EXPECT_EQ(Run(filter, ids), ids);
}

TEST_F(FiltersTest, FreshnessRemovesWhatWasPlayedInTheSessionByDefault) {
  auto ids = AddTracks(catalog_, {{"t1", "a"}, {"t2", "b"}, {"t3", "c"}});
  session_.start_ms = kNow - 10 * 60 * 1000;
  session_.plays = {Play(ids[1], 0)};
  FreshnessFilter filter(catalog_);
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[0], ids[2]}));
  options_.exclude_session = false;
  EXPECT_EQ(Run(filter, ids), ids);
}

TEST_F(FiltersTest, FreshnessRemovesWhatWasPlayedInTheLastHoursFromTheHistory) {
  auto ids = AddTracks(catalog_, {{"recent", "a"}, {"old", "b"}, {"never", "c"}});
  options_.exclude_session = false;
  history_.tracks = {{ids[0], 3, 3, 0, kNow - 1 * kHour}, {ids[1], 9, 9, 0, kNow - 5 * kHour}};
  FreshnessFilter filter(catalog_);
  EXPECT_EQ(Run(filter, ids), ids);  // off by default
  options_.exclude_played_hours = 2;
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[1], ids[2]}));
  options_.exclude_played_hours = 6;
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[2]}));
}

TEST_F(FiltersTest, FreshnessRemovesTheArtistOfTheLastSkip) {
  auto ids = AddTracks(catalog_, {{"x1", "X"}, {"y1", "Y"}, {"x2", "X"}, {"z1", "Z"}, {"y2", "Y"}});
  session_.start_ms = kNow - 60'000;
  // Y was skipped first, X last: only X is "just skipped".
  session_.plays = {Play(ids[4], 0, PlayEnd::kSkipped), Play(ids[0], 1000, PlayEnd::kSkipped)};
  options_.exclude_session = false;
  FreshnessFilter filter(catalog_);
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[1], ids[3], ids[4]}));
  options_.exclude_skipped_artist = false;
  EXPECT_EQ(Run(filter, ids), ids);
}

TEST_F(FiltersTest, NewReleaseBoostMovesRecentReleasesUpAndSaysWhy) {
  const std::string recent = FormatRfc3339Ms(kNow - 10 * 24 * kHour).substr(0, 10);
  auto ids = AddTracks(catalog_, {{"old1", "a", false, "1999-05-01"}, {"new", "c", false, recent},
                                  {"old2", "b", false, "2001"}});
  FreshnessFilter filter(catalog_);
  EXPECT_EQ(Run(filter, ids), ids);  // off by default
  options_.new_release_boost = 0.4f;  // scores 3, 2, 1: +0.8 does not pass the first
  EXPECT_EQ(Run(filter, ids), ids);
  options_.new_release_boost = 1;  // +2 does
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[1], ids[0], ids[2]}));
  EXPECT_EQ(last_[0].reasons, kReasonNewRelease);
  EXPECT_EQ(last_[1].reasons, 0u);
  options_.new_release_days = 5;  // ten days old is no longer new
  EXPECT_EQ(Run(filter, ids), ids);
}

TEST(ReleaseDayTest, ParsesTheCatalogsDateForms) {
  EXPECT_EQ(ReleaseDay("1970-01-02"), 1);
  EXPECT_EQ(ReleaseDay("1970-02"), 31);
  EXPECT_EQ(ReleaseDay("1971"), 365);
  EXPECT_EQ(ReleaseDay(""), std::nullopt);
  EXPECT_EQ(ReleaseDay("1970-13-01"), std::nullopt);
  EXPECT_EQ(ReleaseDay("19x0"), std::nullopt);
  EXPECT_EQ(ReleaseDay("1970/01/01"), std::nullopt);
}

TEST_F(FiltersTest, ArtistCapKeepsTheBestTracksOfEachArtist) {
  auto ids = AddTracks(catalog_, {{"a1", "A"}, {"a2", "A"}, {"b1", "B"}, {"a3", "A"}, {"u1", ""}, {"u2", ""}});
  DiversityFilter filter(catalog_);
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[0], ids[1], ids[2], ids[4], ids[5]}));
  options_.max_per_artist = 1;
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[0], ids[2], ids[4], ids[5]}));
  EXPECT_EQ(Run(filter, ids, /*k=*/2), (std::vector<uint32_t>{ids[0], ids[2]}));  // the last filter: k kept
  options_.diversity = DiversityMode::kNone;
  EXPECT_EQ(Run(filter, ids), ids);
}

TEST_F(FiltersTest, MmrPrefersANovelTrackOverANearDuplicate) {
  auto ids = AddTracks(catalog_, {{"a", "A"}, {"a_again", "B"}, {"other", "C"}});
  testing::FakeEmbeddings emb(2);
  emb.Set(ids[0], {1, 0});
  emb.Set(ids[1], {0.99f, 0.141f});
  emb.Set(ids[2], {0, 1});
  embeddings_ = &emb;
  options_.diversity = DiversityMode::kMmr;
  options_.mmr_lambda = 0.5f;
  DiversityFilter filter(catalog_);
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[0], ids[2], ids[1]}));
  EXPECT_EQ(last_[1].reasons, kReasonDiversified);
  options_.mmr_lambda = 1;  // relevance only
  EXPECT_EQ(Run(filter, ids), ids);
}

TEST_F(FiltersTest, MmrWithoutEmbeddingsAppliesTheArtistCap) {
  auto ids = AddTracks(catalog_, {{"a1", "A"}, {"a2", "A"}, {"a3", "A"}});
  options_.diversity = DiversityMode::kMmr;
  DiversityFilter filter(catalog_);
  EXPECT_EQ(Run(filter, ids), (std::vector<uint32_t>{ids[0], ids[1]}));
}

}  // namespace
}  // namespace segue::recommend
