// Train/serve parity of disengagement scoring, through the server's own commit handler (LiveScoring, the
// object RunServer hands to the EventLog): the decision points the server scores must be exactly the
// ones training labels, and the score at each must equal the score of the offline (dataset) features.
// Decision points are observed from the scorer's counters, never taken from the offline set.
#include "models/live_scoring.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "log/event_log.h"
#include "models/dataset.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_trainer.h"
#include "sim/simulate_to_files.h"
#include "skip_burst_bundle.h"

namespace segue {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "segue-live-scoring-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

Event MakeEvent(const std::string& id, int64_t ts, EventType type, const std::string& track) {
  Event e;
  e.event_id = id;
  e.user_id = "edge-listener";
  e.ts_ms = ts;
  e.type = type;
  e.track_id = track;
  return e;
}

// The moments the old server rule scored but training never labels, around two real decision points.
std::vector<Event> EdgeCaseEvents(int64_t t0) {
  int64_t t = t0;
  int n = 0;
  auto next = [&](EventType type, const std::string& track) {
    t += 20'000;
    return MakeEvent("edge-" + std::to_string(n++), t, type, track);
  };
  return {
      next(EventType::kPause, ""),              // pause with nothing playing
      next(EventType::kSeek, "edge-a"),         // seek with nothing playing
      next(EventType::kSkip, "edge-unknown"),   // skip of a play never reported
      next(EventType::kPlay, "edge-a"),
      next(EventType::kPause, "edge-a"),        // decision point
      next(EventType::kResume, "edge-a"),
      next(EventType::kComplete, "edge-a"),     // decision point
      next(EventType::kComplete, "edge-a"),     // repeated complete
      next(EventType::kExit, ""),
  };
}

class LiveScoringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimConfig config;
    config.users = 16;  // over 200 decision points (12 listeners gave 177 with the calibrated simulator)
    config.days = 3;
    config.seed = 42;
    config.catalog.tracks = 400;
    Result<sim::SimSummary> sim = sim::SimulateToFiles(config, dir_.file("events.ndjson"), dir_.file("tracks.ndjson"), {});
    ASSERT_TRUE(sim.ok()) << sim.status().message();
    Result<EventFile> file = ReadEventFile(dir_.file("events.ndjson"));
    ASSERT_TRUE(file.ok()) << file.status().message();
    ASSERT_EQ(file->rejected, 0u) << file->first_error;
    events_ = std::move(file->events);
    for (Event& e : EdgeCaseEvents(events_.back().ts_ms)) events_.push_back(std::move(e));

    // Any model will do (parity does not depend on its quality): a small one trained on synthetic windows.
    DisengagementBundle bundle = testing::TrainSkipBurstBundle(1500, 500, 31, 1);
    ASSERT_TRUE(SaveBundle(bundle, dir_.file("models/v1")).ok());
  }

  std::unique_ptr<DisengagementScorer> LoadScorer() {
    auto scorer = DisengagementScorer::Load(dir_.file("models"));
    EXPECT_TRUE(scorer.ok()) << scorer.status().ToString();
    return scorer.ok() ? std::move(*scorer) : nullptr;
  }

  TempDir dir_;
  std::vector<Event> events_;
};

TEST_F(LiveScoringTest, ServerScoresExactlyTheTrainingDecisionPointsWithTheSameScores) {
  // Offline: the dataset's decision points and features, scored listener by listener.
  Catalog offline_catalog;
  ASSERT_TRUE(LoadCatalogFile(dir_.file("tracks.ndjson"), &offline_catalog).ok());
  std::unique_ptr<DisengagementScorer> offline_scorer = LoadScorer();
  ASSERT_NE(offline_scorer, nullptr);
  std::map<std::string, float> offline;
  Result<DatasetSummary> summary = ForEachDecision(
      events_, &offline_catalog, DatasetOptions{}, [&](const ExampleInfo&, const FeatureVector& f, const Event& e) {
        offline.emplace(e.event_id, offline_scorer->OnFeatures(e.user_id, e.ts_ms, f).score);
      });
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  ASSERT_GT(offline.size(), 200u);
  ASSERT_EQ(offline.size(), summary->examples);
  ASSERT_TRUE(offline.count("edge-4") && offline.count("edge-6")) << "the edge listener's real decision points";

  // Online: the server's commit handler behind a real EventLog, events in arrival order (interleaved
  // across listeners), one append each so every scored event is attributable. Another process interns
  // ids in another order.
  Catalog online_catalog;
  online_catalog.InternTrack("a-track-only-the-server-saw");
  online_catalog.InternArtist("an-artist-only-the-server-saw");
  ASSERT_TRUE(LoadCatalogFile(dir_.file("tracks.ndjson"), &online_catalog).ok());
  SessionTracker tracker(&online_catalog);
  std::unique_ptr<DisengagementScorer> online_scorer = LoadScorer();
  ASSERT_NE(online_scorer, nullptr);
  LiveScoring live(&tracker, &online_catalog, online_scorer.get());
  EventLogOptions log_options;
  log_options.dir = dir_.file("log");
  log_options.sync = false;
  log_options.on_committed = [&live](const std::vector<LoggedEvent>& group) { live.OnCommitted(group); };
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(log_options);
  ASSERT_TRUE(log.ok()) << log.status().message();
  std::map<std::string, float> online;
  for (const Event& e : events_) {
    const uint64_t before = online_scorer->stats().scored;
    Result<AppendOutcome> appended = (*log)->Append({e});
    ASSERT_TRUE(appended.ok()) << appended.status().message();
    const uint64_t scored = online_scorer->stats().scored - before;
    ASSERT_LE(scored, 1u);
    if (scored == 0) continue;
    std::optional<ListenerScoreView> view = online_scorer->Get(e.user_id);
    ASSERT_TRUE(view.has_value()) << e.event_id;
    ASSERT_EQ(view->ts_ms, e.ts_ms) << e.event_id;
    online.emplace(e.event_id, view->score);
  }
  (*log)->Close();

  for (const auto& [id, score] : online) EXPECT_TRUE(offline.count(id)) << "scored online, never labelled: " << id;
  for (const auto& [id, score] : offline) {
    auto it = online.find(id);
    if (it == online.end()) {
      ADD_FAILURE() << "labelled, never scored online: " << id;
      continue;
    }
    EXPECT_EQ(it->second, score) << "decision " << id;
  }
}

// Event observers see every applied event once, in log order, and nothing the tracker refused (a replayed
// seq it had already applied).
TEST(LiveScoringObservers, EventObserversSeeEachAppliedEventOnce) {
  struct Recorder : EventObserver {
    void OnEventApplied(const LoggedEvent& e, const ApplyOutcome& outcome) override {
      seen.push_back(e.event.event_id);
      EXPECT_TRUE(outcome.applied);
    }
    std::vector<std::string> seen;
  } recorder;
  Catalog catalog;
  SessionTracker tracker(&catalog);
  LiveScoring live(&tracker, &catalog, nullptr, {}, {&recorder});
  std::vector<LoggedEvent> logged;
  uint64_t seq = 0;
  for (const Event& e : EdgeCaseEvents(1'700'000'000'000)) logged.push_back(LoggedEvent{0, ++seq, 0, e});
  live.OnCommitted(logged);
  live.OnCommitted({logged.begin() + 2, logged.end()});  // a replayed tail: already applied
  std::vector<std::string> expected;
  for (const LoggedEvent& e : logged) expected.push_back(e.event.event_id);
  EXPECT_EQ(recorder.seen, expected);
}

}  // namespace
}  // namespace segue
