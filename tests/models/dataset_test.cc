// The offline dataset path (event file → per-listener replay → labelled decision points) on a simulated
// stream. Its parity with the server's path is tests/models/live_scoring_test.cc.
#include "models/dataset.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "sim/simulate_to_files.h"

namespace segue {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "segue-dataset-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimConfig config;
    config.users = 12;
    config.days = 3;
    config.seed = 42;
    config.catalog.tracks = 400;
    Result<sim::SimSummary> sim = sim::SimulateToFiles(config, dir_.file("events.ndjson"), dir_.file("tracks.ndjson"), {});
    ASSERT_TRUE(sim.ok()) << sim.status().message();
    Result<EventFile> file = ReadEventFile(dir_.file("events.ndjson"));
    ASSERT_TRUE(file.ok()) << file.status().message();
    ASSERT_EQ(file->rejected, 0u) << file->first_error;
    events_ = std::move(file->events);
  }

  TempDir dir_;
  std::vector<Event> events_;
};

TEST_F(DatasetTest, SplitsAndLabels) {
  Catalog catalog;
  ASSERT_TRUE(LoadCatalogFile(dir_.file("tracks.ndjson"), &catalog).ok());
  std::vector<ExampleInfo> infos;
  Result<DatasetSummary> summary =
      ForEachExample(events_, &catalog, DatasetOptions{}, [&](const ExampleInfo& i, const FeatureVector&) { infos.push_back(i); });
  ASSERT_TRUE(summary.ok());
  EXPECT_GT(summary->users, 6u);  // a few simulated listeners may not listen in 3 days
  EXPECT_LE(summary->users, 12u);
  size_t positives = 0;
  std::map<uint32_t, int64_t> last_train_ts, first_eval_ts;
  std::map<uint32_t, bool> holdout;
  for (const ExampleInfo& i : infos) {
    positives += i.label;
    EXPECT_EQ(i.label != 0, i.reasons != 0);
    if (i.time_train) {
      last_train_ts[i.user] = std::max(last_train_ts[i.user], i.ts_ms);
    } else if (!first_eval_ts.count(i.user)) {
      first_eval_ts[i.user] = i.ts_ms;
    }
    auto [it, inserted] = holdout.emplace(i.user, i.holdout_user);
    EXPECT_EQ(it->second, i.holdout_user) << "a listener is on one side of the user split";
    if (i.ended_play >= 0) {
      EXPECT_LT(i.ended_play, i.session_plays);
    }
  }
  EXPECT_EQ(positives, summary->positives);
  EXPECT_GT(positives, 0u);
  EXPECT_LT(positives, infos.size());
  for (const auto& [user, ts] : first_eval_ts) {
    if (last_train_ts.count(user)) {
      EXPECT_LT(last_train_ts[user], ts) << "time split is a per-listener prefix";
    }
  }
  EXPECT_FALSE(first_eval_ts.empty());
}

TEST(DatasetFiles, LenientEventReaderCountsBadLines) {
  TempDir dir;
  const std::string path = dir.file("events.ndjson");
  {
    std::ofstream out(path);
    out << R"({"event_id":"e1","user_id":"u","type":"play","ts":1736121600000,"track_id":"t"})" << "\n\n"
        << R"({"event_id":"e2","user_id":"u","type":"bogus","ts":1736121601000})" << "\n"
        << R"({"event_id":"e3","user_id":"u","type":"skip","ts":1736121602000,"track_id":"t"})" << "\n";
  }
  Result<EventFile> file = ReadEventFile(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->events.size(), 2u);
  EXPECT_EQ(file->rejected, 1u);
  EXPECT_NE(file->first_error.find("line 3"), std::string::npos) << file->first_error;
  EXPECT_NE(file->first_error.find("type"), std::string::npos) << file->first_error;
  EXPECT_FALSE(ReadEventFile(dir.file("missing.ndjson")).ok());
}

// The summary's engagement counts (a bundle's training-data skip and exit rates) on hand-written listening.
TEST(DatasetEngagement, CountsPlaysEndedBySkipsAndSessionsEndedByExits) {
  std::vector<Event> events;
  auto add = [&events](const char* user, EventType type, const char* track) {
    Event e;
    e.event_id = std::to_string(events.size());
    e.user_id = user;
    e.type = type;
    e.ts_ms = 1'736'121'600'000 + static_cast<int64_t>(events.size()) * 1000;
    e.track_id = track;
    events.push_back(e);
  };
  add("u", EventType::kPlay, "t1");
  add("u", EventType::kSkip, "t1");      // ended by a skip
  add("u", EventType::kPlay, "t2");
  add("u", EventType::kComplete, "t2");  // ended, not skipped
  add("u", EventType::kExit, "");        // the session ends by an exit
  add("v", EventType::kPlay, "t1");
  add("v", EventType::kSkip, "t1");      // ended by a skip
  add("v", EventType::kPlay, "t3");      // still playing at the end of the file
  Catalog catalog;
  Result<DatasetSummary> summary =
      ForEachExample(events, &catalog, DatasetOptions{}, [](const ExampleInfo&, const FeatureVector&) {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->engagement, (EngagementCounts{.plays_ended = 3, .plays_skipped = 2, .sessions_started = 2,
                                                   .sessions_exited = 1}));
  EXPECT_DOUBLE_EQ(summary->engagement.skip_rate(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(summary->engagement.exit_rate(), 0.5);
}

}  // namespace
}  // namespace segue
