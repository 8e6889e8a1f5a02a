#include "sim/ndjson_writer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "catalog/track_json.h"
#include "common/time_util.h"
#include "events/event_parser.h"
#include "sim/simulate_to_files.h"
#include "sim_test_util.h"

namespace segue::sim {
namespace {

namespace fs = std::filesystem;

class NdjsonWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_sim_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir_;
};

TEST_F(NdjsonWriterTest, WritesEventsAndCatalogThatParseBack) {
  SimConfig config = SmallConfig(40, 2, 3);
  const fs::path events = dir_ / "events.ndjson", tracks = dir_ / "tracks.ndjson";
  Result<SimSummary> r = SimulateToFiles(config, events.string(), tracks.string(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(fs::exists(events.string() + ".tmp"));
  const std::string body = Slurp(events);
  EXPECT_EQ(body.size(), r->event_bytes);
  Result<ParsedBatch> parsed =
      ParseEventBatch(body, BodyFormat::kNdjson, ParseLimits{.max_events_per_batch = 1'000'000}, NowMs());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->rejected.empty());
  EXPECT_EQ(parsed->events.size(), r->stats.events);
  EXPECT_EQ(r->stats.count(EventType::kPlay), r->plays());

  Result<ParsedTracks> catalog = ParseTrackBatch(Slurp(tracks), BodyFormat::kNdjson);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_TRUE(catalog->rejected.empty());
  EXPECT_EQ(catalog->tracks.size(), config.catalog.tracks);
  EXPECT_NE(SimSummaryJson(*r).find("\"skip_rate\""), std::string::npos);
}

TEST_F(NdjsonWriterTest, UnwritablePathIsAClearError) {
  Result<std::unique_ptr<NdjsonFile>> f = NdjsonFile::Open((dir_ / "missing" / "x.ndjson").string());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kIoError);
  EXPECT_NE(f.status().message().find("missing"), std::string::npos);
}

TEST_F(NdjsonWriterTest, AnUnclosedFileLeavesNothingBehind) {
  const fs::path p = dir_ / "partial.ndjson";
  {
    Result<std::unique_ptr<NdjsonFile>> f = NdjsonFile::Open(p.string());
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("{}\n").ok());
  }
  EXPECT_FALSE(fs::exists(p));
  EXPECT_FALSE(fs::exists(p.string() + ".tmp"));
}

}  // namespace
}  // namespace segue::sim
