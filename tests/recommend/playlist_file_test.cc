#include "recommend/playlist_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace segue::recommend {
namespace {

namespace fs = std::filesystem;

class PlaylistFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_playlist_file_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    FILE* f = fopen(path.c_str(), "w");
    EXPECT_NE(f, nullptr);
    fputs(text.c_str(), f);
    fclose(f);
    return path;
  }
  fs::path dir_;
};

TEST_F(PlaylistFileTest, ReadsMpdImportNdjson) {
  Catalog catalog;
  const std::string path = Write("p.ndjson",
                                 "{\"playlist_id\":\"mpd:1\",\"name\":\"x\",\"modified_at_ms\":5000,\"tracks\":[\"a\",\"b\",\"a\"]}\n"
                                 "\n"
                                 "{\"playlist_id\":\"mpd:2\",\"tracks\":[]}\n");
  Result<std::vector<PlaylistTracks>> r = ReadPlaylistFile(path, &catalog);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].playlist_id, "mpd:1");
  EXPECT_EQ((*r)[0].modified_at_ms, 5000);
  const uint32_t a = catalog.FindTrack("a"), b = catalog.FindTrack("b");
  EXPECT_EQ((*r)[0].tracks, (std::vector<uint32_t>{a, b, a}));  // playlist order, repeats kept
  EXPECT_TRUE((*r)[1].tracks.empty());
}

TEST_F(PlaylistFileTest, ReadsSpotifySongsCsvGroupedByPlaylist) {
  Catalog catalog;
  const std::string path = Write("songs.csv",
                                 "track_id,track_name,playlist_id,playlist_genre\n"
                                 "t1,One,P,pop\n"
                                 "t2,Two,Q,rock\n"
                                 "t3,Three,P,pop\n"
                                 "t1,One,P,pop\n");  // listed twice in P: kept once
  Result<std::vector<PlaylistTracks>> r = ReadPlaylistFile(path, &catalog);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].playlist_id, "P");
  EXPECT_EQ((*r)[0].tracks, (std::vector<uint32_t>{catalog.FindTrack("t1"), catalog.FindTrack("t3")}));
  EXPECT_EQ((*r)[1].tracks, (std::vector<uint32_t>{catalog.FindTrack("t2")}));
}

TEST_F(PlaylistFileTest, ErrorsNameTheFileLineAndField) {
  Catalog catalog;
  std::string path = Write("bad.ndjson", "{\"playlist_id\":\"a\",\"tracks\":[\"t\"]}\n{\"playlist_id\":\"b\",\"tracks\":[1]}\n");
  Result<std::vector<PlaylistTracks>> r = ReadPlaylistFile(path, &catalog);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), path + ": line 2: field 'tracks': expected non-empty track id strings");

  path = Write("noid.ndjson", "{\"tracks\":[]}\n");
  r = ReadPlaylistFile(path, &catalog);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 1: field 'playlist_id'"), std::string::npos) << r.status().message();

  path = Write("nocol.csv", "track_id,name\nt1,x\n");
  r = ReadPlaylistFile(path, &catalog);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("playlist_id"), std::string::npos) << r.status().message();

  path = Write("empty.ndjson", "\n");
  r = ReadPlaylistFile(path, &catalog);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), path + ": no playlist in the file");
}

}  // namespace
}  // namespace segue::recommend
