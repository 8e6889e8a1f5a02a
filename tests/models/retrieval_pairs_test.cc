// Training pairs of the two-tower model from a hand-made history and playlist: which plays become
// positives (the shared engaged rule), what the query sees (the session before the play), hard negatives,
// unresolved plays, and the song table.
#include "models/retrieval_pairs.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "features/session_features.h"

namespace segue {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

Event Make(const std::string& id, EventType type, int64_t offset_s, const std::string& track = "") {
  Event e;
  e.event_id = id;
  e.user_id = "u1";
  e.type = type;
  e.ts_ms = kT0 + offset_s * 1000;
  e.track_id = track;
  return e;
}

TEST(RetrievalPairsTest, EngagedPlaysBecomePairsWithTheSessionBeforeThem) {
  Catalog catalog;
  Track a;
  a.track_id = "A";
  a.artist = "Artist";
  a.duration_ms = 200'000;
  catalog.Upsert(a);
  std::vector<Event> events = {
      Make("1", EventType::kPlay, 0, "A"),    Make("2", EventType::kComplete, 200, "A"),  // engaged: completed
      Make("3", EventType::kPlay, 200, "B"),  Make("4", EventType::kSkip, 205, "B"),      // skipped after 5 s
      Make("5", EventType::kPlay, 206, "C"),  Make("6", EventType::kSkip, 250, "C"),      // engaged: 44 s
      Make("7", EventType::kPlay, 260, "D"),  Make("8", EventType::kSkip, 270, "D"),      // 10 s: not engaged
      Make("9", EventType::kPlay, 4000, "E"),  // never ends: unresolved
  };
  RetrievalPairOptions options;
  SongTable songs(kT0);
  songs.AddCatalog(catalog);
  RetrievalPairs pairs;
  ASSERT_TRUE(CollectHistoryPairs(events, &catalog, options, &songs, &pairs).ok());
  EXPECT_EQ(pairs.listeners, 1u);
  EXPECT_EQ(pairs.plays, 5u);
  EXPECT_EQ(pairs.engaged, 2u);
  EXPECT_EQ(pairs.unresolved, 1u);
  ASSERT_EQ(pairs.train.size() + pairs.valid.size(), 2u);
  ASSERT_EQ(pairs.train.size(), 2u) << "both are in the first 80 % of the listener's time";
  const RetrievalPair& first = pairs.train[0];
  const RetrievalPair& second = pairs.train[1];
  EXPECT_EQ(songs.track_ids()[first.song], "A");
  EXPECT_EQ(first.user.length, 0) << "the first play starts the session: nothing played before it";
  EXPECT_EQ(first.day, DayOfWeekBucket(kT0));
  EXPECT_EQ(songs.track_ids()[second.song], "C");
  EXPECT_EQ(second.user.length, 2) << "A and B were played before C";
  EXPECT_EQ(second.user.steps[1].track, TrackBucket("B"));
  EXPECT_EQ(songs.track_ids()[second.hard[0]], "B") << "B was skipped in the session";
  EXPECT_EQ(second.hard[1], kNoSong);
  // Catalog tracks keep their metadata in the song table; played-only tracks are bare ids.
  EXPECT_EQ(songs.track_ids()[0], "A");
  EXPECT_EQ(songs.features()[0].artist, ArtistBucket("Artist"));
  EXPECT_EQ(songs.size(), 5u);
}

feedback::Outcome PlayOutcome(const std::string& track, feedback::OutcomeKind kind, int64_t impression_s,
                              int64_t decided_s) {
  feedback::Outcome o;
  o.rec_id = "r-" + track;
  o.user_id = "u1";
  o.track_id = track;
  o.kind = kind;
  o.impression_ts_ms = kT0 + impression_s * 1000;
  o.ts_ms = kT0 + decided_s * 1000;
  return o;
}

// Feedback outcomes: an engaged recommendation counts twice, a skipped one is the first hard negative.
TEST(RetrievalPairsTest, OutcomesWeighEngagedRecommendationsAndPutSkippedOnesFirstAmongHardNegatives) {
  Catalog catalog;
  for (const char* id : {"A", "E"}) {
    Track t;
    t.track_id = id;
    t.duration_ms = 200'000;
    catalog.Upsert(t);
  }
  const std::vector<Event> events = {
      Make("1", EventType::kPlay, 0, "A"),    Make("2", EventType::kComplete, 200, "A"),  // recommended
      Make("3", EventType::kPlay, 200, "B"),  Make("4", EventType::kSkip, 205, "B"),      // recommended
      Make("5", EventType::kPlay, 206, "C"),  Make("6", EventType::kSkip, 210, "C"),
      Make("7", EventType::kPlay, 211, "D"),  Make("8", EventType::kSkip, 215, "D"),
      Make("9", EventType::kPlay, 216, "E"),  Make("10", EventType::kComplete, 416, "E"),
      Make("11", EventType::kPlay, 5000, "F"),  // later: the split puts the pairs above in training
  };
  RecommendationOutcomes outcomes;
  outcomes.Add(PlayOutcome("A", feedback::OutcomeKind::kCompleted, -1, 200));
  outcomes.Add(PlayOutcome("B", feedback::OutcomeKind::kSkipped, 150, 205));
  outcomes.Add(PlayOutcome("", feedback::OutcomeKind::kIgnored, 0, 1800));  // names no play: not kept
  EXPECT_EQ(outcomes.size(), 2u);

  auto collect = [&](const RecommendationOutcomes* with, SongTable* songs) {
    RetrievalPairOptions options;
    options.outcomes = with;
    songs->AddCatalog(catalog);
    RetrievalPairs pairs;
    EXPECT_TRUE(CollectHistoryPairs(events, &catalog, options, songs, &pairs).ok());
    return pairs;
  };
  SongTable plain_songs(kT0), songs(kT0);
  const RetrievalPairs plain = collect(nullptr, &plain_songs);
  ASSERT_EQ(plain.train.size(), 2u);  // A, E
  EXPECT_EQ(plain_songs.track_ids()[plain.train[1].hard[0]], "D") << "most recent skip first";
  EXPECT_EQ(plain_songs.track_ids()[plain.train[1].hard[1]], "C");

  const RetrievalPairs pairs = collect(&outcomes, &songs);
  ASSERT_EQ(pairs.train.size(), 3u) << "A's pair twice: an engaged recommendation";
  EXPECT_EQ(songs.track_ids()[pairs.train[0].song], "A");
  EXPECT_EQ(songs.track_ids()[pairs.train[1].song], "A");
  EXPECT_EQ(songs.track_ids()[pairs.train[2].song], "E");
  EXPECT_EQ(songs.track_ids()[pairs.train[2].hard[0]], "B") << "the skipped recommendation first";
  EXPECT_EQ(songs.track_ids()[pairs.train[2].hard[1]], "D");
  EXPECT_EQ(pairs.recommended_engaged, 1u);
  EXPECT_EQ(pairs.recommended_negatives, 1u);
  EXPECT_EQ(pairs.engaged, plain.engaged) << "the same plays are engaged";
}

TEST(RetrievalPairsTest, PlaylistTracksArePredictedFromTheOthers) {
  Catalog catalog;
  recommend::PlaylistTracks playlist;
  playlist.playlist_id = "p1";
  for (const char* id : {"x", "y", "z"}) playlist.tracks.push_back(catalog.InternTrack(id));
  recommend::PlaylistTracks single;
  single.playlist_id = "p2";
  single.tracks = {catalog.InternTrack("x")};
  SongTable songs(0);
  RetrievalPairs pairs;
  RetrievalPairOptions options;
  ASSERT_TRUE(CollectPlaylistPairs({playlist, single}, catalog, options, &songs, &pairs).ok());
  EXPECT_EQ(pairs.playlists, 1u) << "a one-track playlist has no context";
  EXPECT_EQ(pairs.playlist_pairs, 3u);
  const std::vector<RetrievalPair>& kept = pairs.train.empty() ? pairs.valid : pairs.train;
  ASSERT_EQ(kept.size(), 3u);
  for (const RetrievalPair& p : kept) {
    EXPECT_EQ(p.user.length, 2);
    for (int s = 0; s < 2; ++s) EXPECT_NE(p.user.steps[static_cast<size_t>(s)].track, TrackBucket(songs.track_ids()[p.song]));
  }
  options.max_pairs = 2;
  RetrievalPairs capped;
  ASSERT_TRUE(CollectPlaylistPairs({playlist}, catalog, options, &songs, &capped).ok());
  EXPECT_EQ(capped.train.size() + capped.valid.size(), 2u);
  EXPECT_EQ(capped.over_cap, 1u);
}

}  // namespace
}  // namespace segue
