#include "importers/mssd.h"

#include <filesystem>
#include <fstream>

#include "import_test_util.h"

namespace segue {
namespace {

using segue::testing::Collected;
using segue::testing::ExpectServerAccepts;
using segue::testing::Fixture;
using segue::testing::Shared;
using segue::testing::Ts;
using Counts = std::map<std::string, int>;

Collected Import(const std::string& path, ImportSummary* summary) {
  Collected c;
  Status st = ImportMssd({path}, {}, c.Sink(), summary);
  EXPECT_TRUE(st.ok()) << st.message();
  return c;
}

// Expected counts: by hand from the fixture rows, cross-checked with python3's csv module (skip ⇔ skip_2,
// pause ⇔ short or long pause before play, search ⇔ reason_start clickrow, seeks = n_seekfwd + n_seekback).
TEST(MssdTest, CanonicalLayout) {
  ImportSummary s;
  Collected c = Import(Fixture("mssd_canonical.csv"), &s);
  EXPECT_EQ(s.records_read, 20u);
  EXPECT_EQ(c.ByType(), (Counts{{"play", 20}, {"complete", 7}, {"skip", 13}, {"pause", 1}}));
  // date 2018-07-15, hour 16: position 1 plays at 16:00, position 2 one slot later.
  ASSERT_EQ(c.events[0].type, EventType::kPlay);
  EXPECT_EQ(c.events[0].ts_ms, Ts("2018-07-15T16:00:00Z"));
  EXPECT_EQ(c.events[0].user_id, "mssd:0_00006f66-33e5-4de7-a324-2d18e439fc1e");
  EXPECT_EQ(c.events[0].track_id, "t_0479f24c-27d2-46d6-a00c-7ec928f2b539");
  EXPECT_EQ(c.events[0].context.source, "editorial_playlist");
  EXPECT_EQ(c.events[0].context.shuffle, true);
  EXPECT_EQ(c.events[1].type, EventType::kComplete);  // not_skipped
  EXPECT_EQ(c.events[1].ts_ms, Ts("2018-07-15T16:00:00Z") + kMssdDwellFullMs);
  EXPECT_EQ(c.events[2].ts_ms, Ts("2018-07-15T16:00:00Z") + kMssdSlotMs);
  ExpectServerAccepts(c.events);
}

TEST(MssdTest, ReformattedLayout) {
  ImportSummary s;
  Collected c = Import(Fixture("mssd_reformatted.csv"), &s);
  EXPECT_EQ(c.ByType(), (Counts{{"play", 11}, {"complete", 10}, {"skip", 1}, {"search", 2}, {"seek", 1},
                                {"pause", 1}}));
  EXPECT_EQ(c.events[0].ts_ms, Ts("2018-07-15T13:00:00Z"));  // "15-07-18", hour 13
  ExpectServerAccepts(c.events);
}

TEST(MssdTest, BothLayoutsOfTheSameSessionGiveTheSameEvents) {
  const std::string sample = Shared("mssd/log_sample_reformatted.csv");
  if (!segue::testing::Exists(sample)) GTEST_SKIP() << "no shared data";
  ImportSummary s1, s2;
  Collected canonical = Import(Fixture("mssd_canonical.csv"), &s1);
  Collected real = Import(sample, &s2);
  std::vector<Event> first_session;
  for (const Event& e : real.events) {
    if (e.user_id == canonical.events[0].user_id) first_session.push_back(e);
  }
  EXPECT_EQ(first_session, canonical.events);
}

TEST(MssdTest, RealSampleCounts) {
  const std::string sample = Shared("mssd/log_sample_reformatted.csv");
  if (!segue::testing::Exists(sample)) GTEST_SKIP() << "no shared data";
  ImportSummary s;
  Collected c = Import(sample, &s);
  EXPECT_EQ(s.records_read, 201u);
  EXPECT_EQ(c.ByType(), (Counts{{"play", 201}, {"complete", 119}, {"skip", 82}, {"pause", 52}, {"search", 16},
                                {"seek", 6}, {"exit", 1}}));
  std::set<std::string> users;
  for (const Event& e : c.events) users.insert(e.user_id);
  EXPECT_EQ(users.size(), 11u);
  ExpectServerAccepts(c.events);
}

class MalformedMssdTest : public ::testing::Test {
 protected:
  Status ImportText(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() / ("segue_mssd_" + std::to_string(::getpid()) + ".csv")).string();
    std::ofstream(path_) << text;
    ImportSummary s;
    Collected c;
    return ImportMssd({path_}, {}, c.Sink(), &s);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(MalformedMssdTest, ErrorsNameFileLineAndColumn) {
  std::ifstream in(Fixture("mssd_canonical.csv"));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);

  Status st = ImportText("session_id,date\nx,2018-01-01\n");
  EXPECT_NE(st.message().find(path_ + ": line 1: column 'session_position': required column is missing"),
            std::string::npos)
      << st.message();

  std::string bad = row;
  bad.replace(bad.find(",false,"), 7, ",maybe,");  // skip_1
  st = ImportText(header + "\n" + row + "\n" + bad + "\n");
  EXPECT_NE(st.message().find("line 3: column 'skip_1': expected true/false, got 'maybe'"), std::string::npos)
      << st.message();

  bad = row;
  bad.replace(bad.find("2018-07-15"), 10, "2018-02-30");
  st = ImportText(header + "\n" + bad + "\n");
  EXPECT_NE(st.message().find("line 2: column 'date'"), std::string::npos) << st.message();

  st = ImportText(header + "\n" + row + ",extra\n");
  EXPECT_NE(st.message().find("line 2: expected 21 fields, found 22"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace segue
