#include "importers/spotify_history.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "import_test_util.h"
#include "importers/track_ids.h"

namespace segue {
namespace {

using segue::testing::Collected;
using segue::testing::CollectedTracks;
using segue::testing::FindTrack;
using segue::testing::ExpectServerAccepts;
using segue::testing::Fixture;
using segue::testing::Shared;
using segue::testing::Ts;
using Counts = std::map<std::string, int>;

Collected Import(const std::vector<std::string>& paths, ImportSummary* summary, const std::string& user = "") {
  Collected c;
  Status st = ImportSpotifyHistory(paths, {user, false, {}}, c.Sink(), summary);
  EXPECT_TRUE(st.ok()) << st.message();
  return c;
}

const Event* Find(const std::vector<Event>& events, EventType type, int64_t ts) {
  for (const Event& e : events) {
    if (e.type == type && e.ts_ms == ts) return &e;
  }
  return nullptr;
}

// Expected counts in these tests were worked out by hand from the fixture records (listed in
// tests/fixtures/importers/make_fixtures.py) and cross-checked with a short python3 script over the raw
// JSON applying the mapping in docs/data.md.
TEST(SpotifyHistoryTest, OldSchemaFixture) {
  ImportSummary s;
  Collected c = Import({Fixture("extended_old/listener-x/endsong_0.json")}, &s);
  EXPECT_EQ(c.ByType(), (Counts{{"play", 10}, {"search", 2}, {"complete", 2}, {"skip", 4}, {"exit", 2},
                                {"pause", 1}}));
  EXPECT_EQ(s.records_read, 11u);
  EXPECT_EQ(s.skipped, (std::map<std::string, uint64_t>{{"no_track_uri", 1}}));
  EXPECT_EQ(s.files, (std::map<std::string, uint64_t>{{"extended", 1}}));
  for (const Event& e : c.events) EXPECT_EQ(e.user_id, "listener-x");
  // Sorted by time although the file is not.
  EXPECT_TRUE(std::is_sorted(c.events.begin(), c.events.end(),
                             [](const Event& a, const Event& b) { return a.ts_ms < b.ts_ms; }));
  // fwdbtn record: ts 2016-04-25T05:09:32Z, ms_played 5897 → play at ts − 5897 ms, skip at ts.
  const Event* play = Find(c.events, EventType::kPlay, Ts("2016-04-25T05:09:26.103Z"));
  ASSERT_NE(play, nullptr);
  EXPECT_EQ(play->track_id.size(), 22u);  // bare id, "spotify:track:" stripped
  EXPECT_EQ(play->position_ms, 0);
  EXPECT_EQ(play->context.device, "iOS 9.3.1 (iPhone5,3)");
  const Event* skip = Find(c.events, EventType::kSkip, Ts("2016-04-25T05:09:32Z"));
  ASSERT_NE(skip, nullptr);
  EXPECT_EQ(skip->position_ms, 5897);
  EXPECT_EQ(skip->track_id, play->track_id);
  // unexpected-exit-while-paused: pause then exit, both at ts.
  const Event* pause = Find(c.events, EventType::kPause, Ts("2016-08-11T08:31:18Z"));
  ASSERT_NE(pause, nullptr);
  EXPECT_EQ(pause->position_ms, 89043);
  EXPECT_LT(pause - c.events.data(), Find(c.events, EventType::kExit, Ts("2016-08-11T08:31:18Z")) - c.events.data());
  // clickrow: a search just before the play, at the same time.
  const Event* search = Find(c.events, EventType::kSearch, Ts("2018-11-28T06:27:09Z") - 267066);
  ASSERT_NE(search, nullptr);
  EXPECT_EQ(search[1].type, EventType::kPlay);
  EXPECT_TRUE(search->track_id.empty());
  ExpectServerAccepts(c.events);
}

TEST(SpotifyHistoryTest, NewSchemaFixtureSkipsPodcasts) {
  ImportSummary s;
  Collected c = Import({Fixture("extended_new/listener-y/Streaming_History_Audio_2023.json")}, &s);
  EXPECT_EQ(c.ByType(), (Counts{{"play", 6}, {"search", 4}, {"complete", 2}, {"skip", 2}, {"exit", 2},
                                {"pause", 1}}));
  EXPECT_EQ(s.skipped, (std::map<std::string, uint64_t>{{"podcast_episode", 2}}));
  ExpectServerAccepts(c.events);
}

TEST(SpotifyHistoryTest, BasicFixtureInfersSkipsUnder30Seconds) {
  ImportSummary s;
  Collected c = Import({Fixture("basic/listener-z/StreamingHistory0.json")}, &s);
  // 10 identified plays; only "cold/mess" (8893 ms) is under 30 s; "Unknown Artist/Unknown Track" dropped.
  EXPECT_EQ(c.ByType(), (Counts{{"play", 10}, {"complete", 9}, {"skip", 1}}));
  EXPECT_EQ(s.skipped, (std::map<std::string, uint64_t>{{"unknown_track", 1}}));
  EXPECT_EQ(s.files, (std::map<std::string, uint64_t>{{"basic", 1}}));
  // endTime "2020-08-11 12:47", msPlayed 31101 → play at 12:46:28.899, complete at 12:47.
  ASSERT_EQ(c.events[0].type, EventType::kPlay);
  EXPECT_EQ(c.events[0].ts_ms, Ts("2020-08-11T12:46:28.899Z"));
  EXPECT_EQ(c.events[0].track_id.rfind("basic:", 0), 0u);
  EXPECT_EQ(c.events[1].type, EventType::kComplete);
  EXPECT_EQ(c.events[1].ts_ms, Ts("2020-08-11T12:47:00Z"));
  EXPECT_EQ(c.events[1].position_ms, 31101);
  EXPECT_EQ(c.events[1].track_id, c.events[0].track_id);
  ExpectServerAccepts(c.events);
}

TEST(SpotifyHistoryTest, FoldersAreSearchedAndUsersComeFromFolderNames) {
  ImportSummary s;
  Collected c = Import({Fixture("")}, &s);
  EXPECT_EQ(s.files, (std::map<std::string, uint64_t>{{"basic", 1}, {"extended", 2}}));
  std::set<std::string> users;
  for (const Event& e : c.events) users.insert(e.user_id);
  EXPECT_EQ(users, (std::set<std::string>{"listener-x", "listener-y", "listener-z"}));
  EXPECT_EQ(c.ByType().at("play"), 10 + 6 + 10);
}

TEST(SpotifyHistoryTest, UserFlagOverridesAndIdsAreDeterministicAndUnique) {
  ImportSummary s1, s2;
  Collected a = Import({Fixture("")}, &s1, "me");
  Collected b = Import({Fixture("")}, &s2, "me");
  ASSERT_EQ(a.events, b.events);
  std::set<std::string> ids;
  for (const Event& e : a.events) {
    EXPECT_EQ(e.user_id, "me");
    ids.insert(e.event_id);
  }
  EXPECT_EQ(ids.size(), a.events.size());
}

// Tracks of the kept plays, once each, with the events' ids: the whole point is that plays join.
std::set<std::string> PlayedIds(const std::vector<Event>& events) {
  std::set<std::string> ids;
  for (const Event& e : events) {
    if (!e.track_id.empty()) ids.insert(e.track_id);
  }
  return ids;
}

std::set<std::string> TrackIds(const std::vector<Track>& tracks) {
  std::set<std::string> ids;
  for (const Track& t : tracks) ids.insert(t.track_id);
  return ids;
}

TEST(SpotifyHistoryTracksTest, ExtendedTracksCarryMetadataAndTheEventsIds) {
  ImportSummary s;
  CollectedTracks t;
  Collected c;
  ASSERT_TRUE(ImportSpotifyHistory({Fixture("extended_old")}, {"", false, t.Sink()}, c.Sink(), &s).ok());
  // 10 records with a track URI, 10 distinct tracks (the 11th record has no URI and no metadata).
  ASSERT_EQ(t.tracks.size(), 10u);
  EXPECT_EQ(s.tracks_written, 10u);
  EXPECT_EQ(TrackIds(t.tracks), PlayedIds(c.events));
  const Track* highway = FindTrack(t.tracks, "5Qe0ZZzG24zLx7vfWQilVu");
  ASSERT_NE(highway, nullptr);
  EXPECT_EQ(highway->title, "Life is a Highway - From \"Cars\"/Soundtrack Version");
  EXPECT_EQ(highway->artist, "Rascal Flatts");
  EXPECT_EQ(highway->album, "Life Is A Highway");
  EXPECT_EQ(highway->duration_ms, 0u);  // ms_played is not the track's length
  EXPECT_EQ(FindTrack(t.tracks, "6CKMbke67ujzy1R7xYdQz2")->artist, "L'Indécis");
  // Order of first appearance in the file (which is not time order).
  EXPECT_EQ(t.tracks[0].track_id, "5Qe0ZZzG24zLx7vfWQilVu");
  ExpectServerAccepts(t.tracks);
}

TEST(SpotifyHistoryTracksTest, BasicTracksUseTheArtistTitleIdOfTheEvents) {
  ImportSummary s;
  CollectedTracks t;
  Collected c;
  ASSERT_TRUE(ImportSpotifyHistory({Fixture("basic")}, {"", false, t.Sink()}, c.Sink(), &s).ok());
  ASSERT_EQ(t.tracks.size(), 10u);  // "Unknown Artist"/"Unknown Track" is dropped with its play
  EXPECT_EQ(TrackIds(t.tracks), PlayedIds(c.events));
  const Track& first = t.tracks[0];
  EXPECT_EQ(first.track_id, BasicTrackId("Prefuse 73", "Perverted Undertone"));
  EXPECT_EQ(first.track_id, c.events[0].track_id);
  EXPECT_EQ(first.title, "Perverted Undertone");
  EXPECT_EQ(first.artist, "Prefuse 73");
  EXPECT_TRUE(first.album.empty());
  ExpectServerAccepts(t.tracks);
}

TEST(SpotifyHistoryTracksTest, NoTrackSinkNoTracks) {
  ImportSummary s;
  Import({Fixture("")}, &s);
  EXPECT_EQ(s.tracks_written, 0u);
}

class MalformedHistoryTest : public ::testing::Test {
 protected:
  Status ImportText(const std::string& text, Collected* out = nullptr, CollectedTracks* tracks = nullptr,
                    ImportSummary* summary = nullptr) {
    dir_ = std::filesystem::temp_directory_path() / ("segue_imp_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "endsong_0.json").string();
    std::ofstream(path_) << text;
    ImportSummary s;
    Collected c;
    SpotifyHistoryOptions options;
    if (tracks != nullptr) options.tracks = tracks->Sink();
    return ImportSpotifyHistory({path_}, options, (out != nullptr ? out : &c)->Sink(), summary ? summary : &s);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(MalformedHistoryTest, ErrorsNameFileRecordAndField) {
  const std::string ok = R"({"ts":"2021-01-01T00:00:00Z","ms_played":1000,"spotify_track_uri":"spotify:track:x"})";
  Status st = ImportText("[" + ok + R"(,{"ts":"2021-01-01T00:01:00Z","ms_played":"abc"}])");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find(path_ + ": record 2: field 'ms_played': expected a non-negative integer"),
            std::string::npos)
      << st.message();

  st = ImportText("[" + ok + R"(,{"ts":"yesterday","ms_played":5}])");
  EXPECT_NE(st.message().find("record 2: field 'ts': not an RFC 3339 timestamp"), std::string::npos) << st.message();

  st = ImportText(R"([{"when":"2021-01-01","played":5}])");
  EXPECT_NE(st.message().find("record 1: neither an extended"), std::string::npos) << st.message();

  st = ImportText("[" + ok + ",{\"ts\":");  // truncated file
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path_), std::string::npos) << st.message();

  st = ImportText(R"({"ts":"2021-01-01T00:00:00Z"})");
  EXPECT_NE(st.message().find("expected a JSON array"), std::string::npos) << st.message();

  st = ImportText("[" + ok + R"(,{"endTime":"2021-01-01 00:00","msPlayed":5}])");  // format changes mid-file
  EXPECT_NE(st.message().find("record 2: field 'ts' is missing"), std::string::npos) << st.message();
}

TEST_F(MalformedHistoryTest, MissingAndExtraKeysAreTolerated) {
  Status st = ImportText(
      R"([{"ts":"2021-01-01T00:00:00Z","ms_played":1000,"spotify_track_uri":"spotify:track:x","new_field":[1,{"a":2}]}])");
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_F(MalformedHistoryTest, PlaysLongerThanADayAreDroppedAndCounted) {
  Collected c;
  Status st = ImportText(
      R"([{"ts":"2021-01-01T00:00:00Z","ms_played":86400001,"spotify_track_uri":"spotify:track:x"},)"
      R"({"ts":"2021-01-02T00:00:00Z","ms_played":86400000,"spotify_track_uri":"spotify:track:x"}])",
      &c);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(c.events.size(), 1u);  // the second: a play (no reason_end, so no end event)
  EXPECT_EQ(c.events[0].ts_ms, Ts("2021-01-01T00:00:00Z"));
  ExpectServerAccepts(c.events);
}

TEST_F(MalformedHistoryTest, LongPlatformIsCutToTheServerDeviceLimit) {
  // 70 bytes ending in a 2-byte UTF-8 character that straddles the 64-byte limit.
  const std::string platform = std::string(63, 'p') + "\u00e9" + std::string(6, 'q');
  Collected c;
  Status st = ImportText(R"([{"ts":"2021-01-01T00:00:00Z","ms_played":1000,"spotify_track_uri":"spotify:track:x",)"
                         R"("platform":")" + platform + R"(","reason_end":"trackdone"}])",
                         &c);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[0].context.device, std::string(63, 'p'));
  ExpectServerAccepts(c.events);
}

TEST_F(MalformedHistoryTest, RepeatedTracksAreWrittenOnceFirstValuesKeptGapsFilled) {
  Collected c;
  CollectedTracks t;
  ImportSummary s;
  const std::string uri = R"("spotify_track_uri":"spotify:track:x")";
  Status st = ImportText(
      R"([{"ts":"2021-01-01T00:00:00Z","ms_played":1000,)" + uri + R"(,"master_metadata_track_name":null},)"
      R"({"ts":"2021-01-01T00:01:00Z","ms_played":1000,)" + uri +
          R"(,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X"},)"
      R"({"ts":"2021-01-01T00:02:00Z","ms_played":1000,)" + uri +
          R"(,"master_metadata_track_name":"B","master_metadata_album_album_name":"Z"},)"
      R"({"ts":"2021-01-01T00:03:00Z","ms_played":1000,"spotify_track_uri":"y"},)"
      R"({"ts":"2021-01-01T00:04:00Z","ms_played":1000,"spotify_track_uri":"spotify:track:"}])",
      &c, &t, &s);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(t.tracks.size(), 2u);
  EXPECT_EQ(t.tracks[0].track_id, "x");
  EXPECT_EQ(t.tracks[0].title, "A");   // the first stated title; "B" differs and is counted
  EXPECT_EQ(t.tracks[0].artist, "X");
  EXPECT_EQ(t.tracks[0].album, "Z");   // filled from the record that states it
  EXPECT_EQ(s.notes["track_metadata_differs_first_kept"], 1u);
  EXPECT_EQ(s.skipped["no_track_uri"], 1u);  // a URI without an id names no track: no play, no track
  EXPECT_EQ(t.tracks[1].track_id, "y");  // no metadata at all: still a catalog entry, so its plays join
  EXPECT_TRUE(t.tracks[1].title.empty());
  EXPECT_EQ(TrackIds(t.tracks), PlayedIds(c.events));
  ExpectServerAccepts(t.tracks);
}

TEST_F(MalformedHistoryTest, TrackTextsAreCutToTheServerLimits) {
  CollectedTracks t;
  ImportSummary s;
  const std::string title(600, 't');
  Status st = ImportText(R"([{"ts":"2021-01-01T00:00:00Z","ms_played":1000,"spotify_track_uri":"spotify:track:x",)"
                         R"("master_metadata_track_name":")" + title + R"("}])",
                         nullptr, &t, &s);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(t.tracks.size(), 1u);
  EXPECT_EQ(t.tracks[0].title.size(), TrackLimits{}.max_text_bytes);
  EXPECT_EQ(s.notes["truncated_title"], 1u);
  ExpectServerAccepts(t.tracks);
}

// Regression for a fuzz/spotify_history finding: a URI that is only the prefix became a play with an
// empty track_id, which the server rejects; so would an id over the server's 128-byte limit. Both are
// now dropped and counted.
TEST_F(MalformedHistoryTest, UrisWithoutAUsableIdAreDroppedAndCounted) {
  Collected c;
  Status st = ImportText(R"([{"ts":"2021-01-01T00:00:00Z","ms_played":1000,"spotify_track_uri":"spotify:track:"},)"
                         R"({"ts":"2021-01-01T00:01:00Z","ms_played":1000,"spotify_track_uri":"spotify:track:)" +
                             std::string(129, 'x') + R"("},)"
                         R"({"ts":"2021-01-01T00:02:00Z","ms_played":1000,"spotify_track_uri":"spotify:track:y"}])",
                         &c);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].track_id, "y");
  ExpectServerAccepts(c.events);
}

// The real samples: counts by type computed independently with python3 over the raw JSON (mapping of
// docs/data.md), also listed there.
struct RealFile {
  const char* path;
  Counts counts;
  std::map<std::string, uint64_t> skipped;
};

TEST(SpotifyHistoryRealDataTest, PerFileCountsAndServerAcceptance) {
  const std::vector<RealFile> files = {
      {"spotify-history/extended/listener-a/endsong_1.json",
       {{"play", 2079}, {"search", 403}, {"skip", 619}, {"complete", 1327}, {"exit", 128}, {"pause", 18}},
       {{"no_track_uri", 1}}},
      {"spotify-history/extended/listener-b/endsong.json",
       {{"play", 943}, {"search", 23}, {"skip", 337}, {"complete", 523}, {"exit", 83}, {"pause", 8}},
       {{"no_track_uri", 20}}},
      {"spotify-history/extended/listener-c/Streaming_History_Audio_2023.json",
       {{"play", 1457}, {"search", 721}, {"skip", 903}, {"complete", 401}, {"exit", 152}, {"pause", 69}},
       {{"podcast_episode", 13}}},
      {"spotify-history/basic/listener-d/StreamingHistory0.json",
       {{"play", 10000}, {"skip", 1648}, {"complete", 8352}},
       {}},
      {"spotify-history/basic/listener-e/StreamingHistory_music_0.json",
       {{"play", 9959}, {"skip", 2089}, {"complete", 7870}},
       {{"unknown_track", 41}}},
  };
  // Without the shared data the test is skipped (and says so); with part of it, it fails: a sample that
  // went missing must not pass as checked.
  std::vector<std::string> missing;
  for (const RealFile& f : files) {
    if (!segue::testing::Exists(Shared(f.path))) missing.push_back(f.path);
  }
  if (missing.size() == files.size()) GTEST_SKIP() << "no shared data at " << SEGUE_SHARED_DATA;
  for (const std::string& path : missing) ADD_FAILURE() << "shared sample missing: " << Shared(path);
  for (const RealFile& f : files) {
    if (!segue::testing::Exists(Shared(f.path))) continue;
    ImportSummary s;
    Collected c = Import({Shared(f.path)}, &s);
    EXPECT_EQ(c.ByType(), f.counts) << f.path;
    EXPECT_EQ(s.skipped, f.skipped) << f.path;
    ExpectServerAccepts(c.events);
  }
}

// Distinct tracks per file and for the whole folder, computed independently with python3 over the raw
// JSON (docs/data.md): every kept play's track is among the tracks written.
TEST(SpotifyHistoryRealDataTest, TracksJoinEveryPlay) {
  const std::map<std::string, size_t> per_file = {
      {"spotify-history/extended/listener-a/endsong_1.json", 1447},
      {"spotify-history/extended/listener-b/endsong.json", 92},
      {"spotify-history/extended/listener-c/Streaming_History_Audio_2023.json", 571},
      {"spotify-history/basic/listener-d/StreamingHistory0.json", 3450},
      {"spotify-history/basic/listener-e/StreamingHistory_music_0.json", 4122},
  };
  std::vector<std::string> missing;
  for (const auto& [path, n] : per_file) {
    if (!segue::testing::Exists(Shared(path))) missing.push_back(path);
  }
  if (missing.size() == per_file.size()) GTEST_SKIP() << "no shared data at " << SEGUE_SHARED_DATA;
  for (const std::string& path : missing) ADD_FAILURE() << "shared sample missing: " << Shared(path);
  if (!missing.empty()) return;
  for (const auto& [path, n] : per_file) {
    ImportSummary s;
    CollectedTracks t;
    Collected c;
    ASSERT_TRUE(ImportSpotifyHistory({Shared(path)}, {"", false, t.Sink()}, c.Sink(), &s).ok()) << path;
    EXPECT_EQ(t.tracks.size(), n) << path;
    EXPECT_EQ(TrackIds(t.tracks), PlayedIds(c.events)) << path;
    ExpectServerAccepts(t.tracks);
  }
  ImportSummary s;
  CollectedTracks t;
  Collected c;
  ASSERT_TRUE(ImportSpotifyHistory({Shared("spotify-history")}, {"", false, t.Sink()}, c.Sink(), &s).ok());
  EXPECT_EQ(t.tracks.size(), 9657u);  // 2,097 Spotify ids + 7,560 artist/title ids
  EXPECT_EQ(TrackIds(t.tracks), PlayedIds(c.events));
  // Two tracks played by two listeners carry different metadata in their exports.
  EXPECT_EQ(s.notes["track_metadata_differs_first_kept"], 2u);
}

}  // namespace
}  // namespace segue
