// Runs the built `segue import` binary: the output file and the --json summary are what scripts rely on.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "import_test_util.h"
#include "tests/testing/run_command.h"

namespace segue {
namespace {

using segue::test_support::RunCommand;

TEST(ImportCliTest, WritesNdjsonTheServerAcceptsAndAJsonSummary) {
  const std::string out = (std::filesystem::temp_directory_path() / "segue_cli_import.ndjson").string();
  int rc = 0;
  std::string summary = RunCommand(std::string(SEGUE_BINARY) + " import spotify-history " +
                                segue::testing::Fixture("extended_old") + " --out " + out + " --json 2>/dev/null",
                            &rc);
  ASSERT_EQ(rc, 0) << summary;
  EXPECT_NE(summary.find("\"events_by_type\":{\"complete\":2,\"exit\":2,\"pause\":1,\"play\":10,\"search\":2,"
                         "\"skip\":4}"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("\"skipped\":{\"no_track_uri\":1}"), std::string::npos) << summary;
  std::ifstream in(out);
  std::stringstream body;
  body << in.rdbuf();
  Result<ParsedBatch> parsed = ParseEventBatch(body.str(), BodyFormat::kNdjson, ParseLimits{}, NowMs());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->events.size(), 21u);
  EXPECT_TRUE(parsed->rejected.empty());
  std::filesystem::remove(out);
}

TEST(ImportCliTest, FailedImportLeavesNoOutputAndNamesTheProblem) {
  const auto dir = std::filesystem::temp_directory_path() / "segue_cli_bad";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "log.csv") << "session_id\nx\n";
  const std::string out = (dir / "out.ndjson").string();
  int rc = 0;
  std::string err = RunCommand(std::string(SEGUE_BINARY) + " import mssd " + (dir / "log.csv").string() + " --out " + out +
                            " 2>&1",
                        &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find("column 'session_position': required column is missing"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
  std::filesystem::remove_all(dir);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream body;
  body << in.rdbuf();
  return body.str();
}

std::set<std::string> EventTrackIds(const std::string& ndjson) {
  Result<ParsedBatch> parsed = ParseEventBatch(ndjson, BodyFormat::kNdjson, ParseLimits{}, NowMs());
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  std::set<std::string> ids;
  if (!parsed.ok()) return ids;
  for (const Event& e : parsed->events) {
    if (!e.track_id.empty()) ids.insert(e.track_id);
  }
  return ids;
}

// The tracks file as POST /v1/tracks would take it.
std::vector<Track> ParseTracks(const std::string& ndjson) {
  Result<ParsedTracks> parsed = ParseTrackBatch(ndjson, BodyFormat::kNdjson);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  if (!parsed.ok()) return {};
  EXPECT_TRUE(parsed->rejected.empty());
  return parsed->tracks;
}

TEST(ImportCliTest, HistoryTracksOutJoinsEveryPlay) {
  const auto dir = std::filesystem::temp_directory_path() / ("segue_cli_tracks_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string events = (dir / "events.ndjson").string(), tracks = (dir / "tracks.ndjson").string();
  int rc = 0;
  std::string summary = RunCommand(std::string(SEGUE_BINARY) + " import spotify-history " + segue::testing::Fixture("") +
                                       " --out " + events + " --tracks-out " + tracks + " --json 2>/dev/null",
                                   &rc);
  ASSERT_EQ(rc, 0) << summary;
  // extended_old 10 + extended_new 6 + basic 10 distinct tracks (one per kept play in these fixtures).
  EXPECT_NE(summary.find("\"tracks_written\":26,"), std::string::npos) << summary;
  std::set<std::string> track_ids;
  for (const Track& t : ParseTracks(ReadAll(tracks))) track_ids.insert(t.track_id);
  EXPECT_EQ(track_ids.size(), 26u);
  EXPECT_EQ(track_ids, EventTrackIds(ReadAll(events)));
  std::filesystem::remove_all(dir);
}

TEST(ImportCliTest, MpdWritesPlaylistsAndTracks) {
  const auto dir = std::filesystem::temp_directory_path() / ("segue_cli_mpd_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string playlists = (dir / "playlists.ndjson").string(), tracks = (dir / "tracks.ndjson").string();
  int rc = 0;
  std::string summary =
      RunCommand(std::string(SEGUE_BINARY) + " import mpd " + segue::testing::Fixture("mpd/mpd.slice.0-1.json") +
                     " --out " + playlists + " --tracks-out " + tracks + " --json 2>/dev/null",
                 &rc);
  ASSERT_EQ(rc, 0) << summary;
  EXPECT_NE(summary.find("\"tracks_written\":3,\"playlists_written\":2,"), std::string::npos) << summary;
  const std::string body = ReadAll(playlists);
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 2);
  EXPECT_EQ(body.rfind(R"({"playlist_id":"mpd:0","name":"Road trip ",)", 0), 0u) << body;
  EXPECT_EQ(ParseTracks(ReadAll(tracks)).size(), 3u);
  std::filesystem::remove_all(dir);
}

TEST(ImportCliTest, BadMpdLeavesNeitherOutputAndNamesFileAndPlace) {
  const auto dir = std::filesystem::temp_directory_path() / ("segue_cli_bad_mpd_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string in = (dir / "mpd.slice.0-999.json").string();
  std::ofstream(in) << "{\"playlists\": [\n{\"pid\": 7, \"tracks\": [{\"track_uri\": 5}]}]}";
  const std::string playlists = (dir / "p.ndjson").string(), tracks = (dir / "t.ndjson").string();
  int rc = 0;
  std::string err = RunCommand(std::string(SEGUE_BINARY) + " import mpd " + in + " --out " + playlists +
                                   " --tracks-out " + tracks + " 2>&1",
                               &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find(in + ": line 2, column"), std::string::npos) << err;
  EXPECT_NE(err.find("playlist 1 (pid 7): track 1: field 'track_uri': expected a string"), std::string::npos) << err;
  for (const std::string& f : {playlists, tracks}) {
    EXPECT_FALSE(std::filesystem::exists(f)) << f;
    EXPECT_FALSE(std::filesystem::exists(f + ".partial")) << f;
  }
  std::filesystem::remove_all(dir);
}

TEST(ImportCliTest, HelpListsTracksOut) {
  for (const char* sub : {"spotify-history", "mpd"}) {
    int rc = 0;
    std::string help = RunCommand(std::string(SEGUE_BINARY) + " import " + sub + " --help 2>&1", &rc);
    EXPECT_EQ(rc, 0) << sub;
    EXPECT_NE(help.find("--tracks-out"), std::string::npos) << sub << ": " << help;
  }
}

}  // namespace
}  // namespace segue
