#include "importers/catalog_csv.h"

#include <filesystem>
#include <fstream>

#include "catalog/track_json.h"
#include "import_test_util.h"

namespace segue {
namespace {

using segue::testing::ExpectServerAccepts;
using segue::testing::FindTrack;
using segue::testing::Fixture;
using segue::testing::Shared;

std::vector<Track> Import(const std::string& path, ImportSummary* summary) {
  std::vector<Track> tracks;
  Status st = ImportCatalogCsv(path, {}, [&](const Track& t) {
    tracks.push_back(t);
    return Status::Ok();
  }, summary);
  EXPECT_TRUE(st.ok()) << st.message();
  return tracks;
}

// Expected values read off tests/fixtures/importers/catalog.csv by hand (11 rows, 9 distinct ids).
TEST(CatalogCsvTest, Fixture) {
  ImportSummary s;
  std::vector<Track> tracks = Import(Fixture("catalog.csv"), &s);
  EXPECT_EQ(s.records_read, 11u);
  ASSERT_EQ(tracks.size(), 9u);
  EXPECT_EQ(s.tracks_written, 9u);

  const Track& first = tracks[0];
  EXPECT_EQ(first.track_id, "6f807x0ima9a1j3VPbc7VN");
  EXPECT_EQ(first.title, "I Don't Care (with Justin Bieber) - Loud Luxury Remix");
  EXPECT_EQ(first.artist, "Ed Sheeran");
  EXPECT_EQ(first.album, "I Don't Care (with Justin Bieber) [Loud Luxury Remix]");
  EXPECT_EQ(first.release_date, "2019-06-14");
  EXPECT_EQ(first.popularity, 66);
  EXPECT_EQ(first.duration_ms, 194754u);
  EXPECT_EQ(first.genres, (std::vector<std::string>{"pop", "dance pop"}));
  EXPECT_EQ(first.audio_features,
            (std::vector<float>{0.748f, 0.916f, 6, -2.634f, 1, 0.0583f, 0.102f, 0, 0.0653f, 0.518f, 122.036f}));

  // One track collected from three playlists: one Track, genres merged in order of first appearance.
  const Track* merged = FindTrack(tracks, "1z1Hg7Vb0AhHDiEmnDE79l");
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(merged->genres, (std::vector<std::string>{"pop", "dance pop", "edm", "big room", "pop edm"}));
  EXPECT_EQ(merged->audio_features[7], 2.33e-5f);  // instrumentalness in scientific notation
  EXPECT_EQ(s.notes.at("duplicate_rows_merged"), 2u);

  const Track* na = FindTrack(tracks, "69gRFGOWY9OMpFJgFol1u0");
  ASSERT_NE(na, nullptr);
  EXPECT_EQ(na->title, "");
  EXPECT_EQ(na->artist, "");
  EXPECT_EQ(na->album, "");
  EXPECT_EQ(na->audio_features.size(), 11u);

  EXPECT_EQ(FindTrack(tracks, "3y3brCCecHC3Db18aIOnny")->title,
            "Carry On (from the Original Motion Picture \"POKÉMON Detective Pikachu\")");
  EXPECT_EQ(FindTrack(tracks, "4w8niZpiMy6qz1mntFA5uM")->title, "Taki Taki (with Selena Gomez, Ozuna & Cardi B)");
  EXPECT_EQ(FindTrack(tracks, "2QtJA4gbwe1AcanB2p21aP")->release_date, "2012");
  EXPECT_EQ(FindTrack(tracks, "6ZMda6mscE8eRkuwlw8yFB")->release_date, "1981-12");
  EXPECT_EQ(FindTrack(tracks, "75FpbthrwQmzHlBJLuGdC7")->audio_features[7], 9.43e-6f);
  ExpectServerAccepts(tracks);
}

// Figures from the data's SOURCE.md (rows, distinct ids) and a python3 csv pass (genre entries after
// merging; NA titles among first occurrences).
TEST(CatalogCsvTest, RealCatalog) {
  const std::string path = Shared("catalog/spotify_songs.csv");
  if (!segue::testing::Exists(path)) GTEST_SKIP() << "no shared data";
  ImportSummary s;
  std::vector<Track> tracks = Import(path, &s);
  EXPECT_EQ(s.records_read, 32833u);
  EXPECT_EQ(tracks.size(), 28356u);
  size_t genres = 0, untitled = 0;
  for (const Track& t : tracks) {
    genres += t.genres.size();
    untitled += t.title.empty();
    EXPECT_EQ(t.audio_features.size(), 11u);
  }
  EXPECT_EQ(genres, 63218u);
  EXPECT_EQ(untitled, 4u);
  ExpectServerAccepts(tracks);
}

class MalformedCatalogTest : public ::testing::Test {
 protected:
  Status ImportText(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() / ("segue_cat_" + std::to_string(::getpid()) + ".csv")).string();
    std::ofstream(path_) << text;
    ImportSummary s;
    return ImportCatalogCsv(path_, {}, [](const Track&) { return Status::Ok(); }, &s);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(MalformedCatalogTest, ErrorsNameFileLineAndColumn) {
  std::ifstream in(Fixture("catalog.csv"));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);

  std::string bad = row;
  bad.replace(bad.find(",66,"), 4, ",sixty,");
  bad.replace(0, 22, "another_track_id_00000");  // a repeated id would only merge genres
  Status st = ImportText(header + "\n" + row + "\n" + bad + "\n");
  EXPECT_NE(st.message().find(path_ + ": line 3: column 'track_popularity': expected a number"), std::string::npos)
      << st.message();

  bad = row;
  bad.replace(bad.find("2019-06-14"), 10, "14/06/2019");
  st = ImportText(header + "\n" + bad + "\n");
  EXPECT_NE(st.message().find("line 2: column 'track_album_release_date'"), std::string::npos) << st.message();

  st = ImportText(header + "\n" + row.substr(0, 30) + "\"unclosed\n");
  EXPECT_NE(st.message().find(path_ + ": line 2: field 2: quote inside an unquoted field"), std::string::npos)
      << st.message();

  st = ImportText("track_id,track_name\nx,y\n");
  EXPECT_NE(st.message().find("column 'track_artist': required column is missing"), std::string::npos)
      << st.message();
}

// Regression for a fuzz/catalog_csv finding: the audio-feature columns are Column values past the enum's
// last enumerator, undefined behaviour until Column got a fixed underlying type (UBSan reported it on
// every row with features; GCC's build does not, so the fuzz corpus replays that input under clang too).
// The last feature column, tempo, must be read and named in errors like any other.
TEST_F(MalformedCatalogTest, LastAudioFeatureColumnIsNamed) {
  std::ifstream in(Fixture("catalog.csv"));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  std::string bad = row;
  bad.replace(bad.find(",122.036,"), 9, ",fast,");
  Status st = ImportText(header + "\n" + bad + "\n");
  EXPECT_NE(st.message().find("line 2: column 'tempo': expected a number"), std::string::npos) << st.message();
}

// Regression for a fuzz/catalog_csv finding: a title that is not valid UTF-8 was copied into the track,
// whose JSON `POST /v1/tracks` then rejected. The row is now an error naming the column.
TEST_F(MalformedCatalogTest, TextThatIsNotUtf8IsAnError) {
  std::ifstream in(Fixture("catalog.csv"));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  std::string bad = row;
  bad.replace(bad.find("I Don't Care"), 1, "\xb0\x96");
  Status st = ImportText(header + "\n" + bad + "\n");
  EXPECT_NE(st.message().find("line 2: column 'track_name': not valid UTF-8"), std::string::npos) << st.message();
}

// Regression for a fuzz/catalog_csv finding: the importer's own date check accepted "0012-01-05" and
// "2019-02-30", which `POST /v1/tracks` rejects; it now applies the server's rule.
TEST_F(MalformedCatalogTest, ReleaseDateFollowsTheServersRule) {
  std::ifstream in(Fixture("catalog.csv"));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  for (const char* date : {"0012-06-14", "2019-02-30", "2019-04-31"}) {
    std::string bad = row;
    bad.replace(bad.find("2019-06-14"), 10, date);
    Status st = ImportText(header + "\n" + bad + "\n");
    EXPECT_NE(st.message().find("line 2: column 'track_album_release_date'"), std::string::npos)
        << date << ": " << st.message();
  }
  std::string leap = row;
  leap.replace(leap.find("2019-06-14"), 10, "2020-02-29");
  EXPECT_TRUE(ImportText(header + "\n" + leap + "\n").ok());
}

}  // namespace
}  // namespace segue
