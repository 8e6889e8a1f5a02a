// The offline dataset path (event file → per-listener replay) against the server's path (EventLog group
// commit → on_committed → SessionTracker, events interleaved across listeners as they arrive), on a
// simulated stream: the features at every decision point must be identical.
#include "models/dataset.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "features/session_features.h"
#include "log/event_log.h"
#include "session/session_tracker.h"
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

TEST_F(DatasetTest, OfflineFeaturesEqualTheServersLiveFeatures) {
  // Offline: the dataset path.
  Catalog offline_catalog;
  ASSERT_TRUE(LoadCatalogFile(dir_.file("tracks.ndjson"), &offline_catalog).ok());
  std::map<std::string, FeatureVector> offline;
  Result<DatasetSummary> summary = ForEachDecision(
      events_, &offline_catalog, DatasetOptions{},
      [&](const ExampleInfo&, const FeatureVector& f, const Event& e) { offline.emplace(e.event_id, f); });
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  ASSERT_GT(offline.size(), 200u);
  ASSERT_EQ(offline.size(), summary->examples);

  // Online: another process would intern ids in another order.
  Catalog online_catalog;
  online_catalog.InternTrack("a-track-only-the-server-saw");
  online_catalog.InternArtist("an-artist-only-the-server-saw");
  ASSERT_TRUE(LoadCatalogFile(dir_.file("tracks.ndjson"), &online_catalog).ok());
  SessionTracker tracker(&online_catalog);
  std::map<std::string, FeatureVector> online;
  EventLogOptions log_options;
  log_options.dir = dir_.file("log");
  log_options.sync = false;
  log_options.on_committed = [&](const std::vector<LoggedEvent>& group) {
    for (const LoggedEvent& logged : group) {
      tracker.Apply(logged);
      if (!offline.count(logged.event.event_id)) continue;
      tracker.Visit(logged.event.user_id, [&](const SessionState& state) {
        online.emplace(logged.event.event_id, ComputeSessionFeatures(state, online_catalog));
      });
    }
  };
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(log_options);
  ASSERT_TRUE(log.ok()) << log.status().message();
  // The simulator's file is in time order across listeners, as a server receives it.
  constexpr size_t kBatch = 100;
  for (size_t i = 0; i < events_.size(); i += kBatch) {
    std::vector<Event> batch(events_.begin() + i, events_.begin() + std::min(events_.size(), i + kBatch));
    Result<AppendOutcome> appended = (*log)->Append(std::move(batch));
    ASSERT_TRUE(appended.ok()) << appended.status().message();
  }
  (*log)->Close();

  ASSERT_EQ(online.size(), offline.size());
  size_t checked = 0;
  for (const auto& [id, features] : offline) {
    auto it = online.find(id);
    ASSERT_NE(it, online.end()) << id;
    ASSERT_EQ(it->second, features) << "decision " << id;
    ++checked;
  }
  EXPECT_EQ(checked, offline.size());
}

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

}  // namespace
}  // namespace segue
