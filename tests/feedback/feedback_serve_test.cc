// End-to-end through `segue serve`: outcomes attributed before a SIGKILL are neither stored nor reported
// again when the restarted server replays the whole log, and plays that were in progress at the kill
// are still decided afterwards.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "common/time_util.h"
#include "feedback/outcome_store.h"
#include "tests/serving/server_process.h"
#include "tests/testing/run_command.h"

namespace segue::serving {
namespace {

constexpr int kListeners = 12;

std::string EventsJson(const std::vector<nlohmann::json>& events) { return nlohmann::json(events).dump(); }

nlohmann::json Ev(const std::string& id, const std::string& user, const char* type, int64_t ts,
                  const std::string& track = "", const std::string& rec_id = "") {
  nlohmann::json e = {{"event_id", id}, {"user_id", user}, {"type", type}, {"ts", ts}};
  if (!track.empty()) e["track_id"] = track;
  if (!rec_id.empty()) e["context"] = {{"rec_id", rec_id}};
  return e;
}

// The value of a sample line "name{labels} value" in a /metrics body, or -1.
double Sample(const std::string& metrics, const std::string& series) {
  const size_t at = metrics.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stod(metrics.substr(at + series.size() + 2));
}

double Outcomes(Client& client, const char* kind) {
  return Sample(client.Send(http::verb::get, "/metrics").body,
                std::string("segue_feedback_outcomes_total{kind=\"") + kind + "\"}");
}

bool WaitFor(Client& client, const char* kind, double n) {
  for (int i = 0; i < 400; ++i) {
    if (Outcomes(client, kind) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

class FeedbackServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/data";
    config_ = dir_.path() + "/segue.toml";
    // No periodic snapshot: the restart replays the whole log, including every event already attributed.
    std::ofstream(config_) << "[sessions]\nsnapshot_interval_s = 86400\nsnapshot_every_events = 0\n";
    stderr_ = dir_.path() + "/server.log";
  }
  std::string ServerLog() {
    std::ifstream in(stderr_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  segue::testing::TempDir dir_;
  std::string data_, config_, stderr_;
};

TEST_F(FeedbackServeTest, OutcomesAreExactlyOnceAcrossSigkillAndPendingPlaysAreStillDecided) {
  const int64_t base = NowMs() - 3600 * 1000;
  std::map<std::string, std::string> played;  // listener -> recommended track it played
  {
    ServerProcess server(data_, config_, stderr_);
    ASSERT_GT(server.port(), 0) << ServerLog();
    ASSERT_TRUE(server.WaitReady()) << ServerLog();
    Client client(server.port());
    nlohmann::json tracks = nlohmann::json::array();
    for (int t = 0; t < 6; ++t) {
      tracks.push_back({{"id", segue::testing::Id("t", t)}, {"title", "T"}, {"artist", segue::testing::Id("a", t)},
                        {"duration_ms", 200000}, {"genre", "rock"}});
    }
    ASSERT_EQ(client.Send(http::verb::post, "/v1/tracks", tracks.dump()).status, 200);
    std::vector<nlohmann::json> warm;  // listening that makes the popularity fallbacks non-empty
    for (int t = 0; t < 6; ++t) {
      warm.push_back(Ev(segue::testing::Id("w", t), segue::testing::Id("warm", t), "play", base,
                        segue::testing::Id("t", t)));
      warm.push_back(Ev(segue::testing::Id("c", t), segue::testing::Id("warm", t), "complete", base + 200000,
                        segue::testing::Id("t", t)));
    }
    ASSERT_EQ(client.Send(http::verb::post, "/v1/events", EventsJson(warm)).status, 202);
    for (int i = 0; i < kListeners; ++i) {
      const std::string user = segue::testing::Id("u", i);
      const int64_t ts = base + 1000 * i;
      const std::string first = EventsJson({Ev(user + "p0", user, "play", ts, "t0")});
      ASSERT_EQ(client.Send(http::verb::post, "/v1/events", first).status, 202);
      // The pipeline applies events after acknowledging them: ask until the warm listening counts (an
      // empty list is no impression).
      Reply rec;
      for (int attempt = 0; attempt < 100; ++attempt) {
        rec = client.Send(http::verb::get, "/v1/users/" + user + "/recommendations?k=3");
        if (rec.status != 200 || !nlohmann::json::parse(rec.body)["items"].empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      ASSERT_EQ(rec.status, 200) << rec.body;
      const nlohmann::json r = nlohmann::json::parse(rec.body);
      ASSERT_FALSE(r["items"].empty()) << rec.body;
      played[user] = r["items"][0]["track_id"];
      std::vector<nlohmann::json> events = {Ev(user + "p1", user, "play", ts + 5000, played[user], r["rec_id"])};
      if (i % 2 == 0) events.push_back(Ev(user + "s1", user, "skip", ts + 10000, played[user]));
      ASSERT_EQ(client.Send(http::verb::post, "/v1/events", EventsJson(events)).status, 202);
    }
    ASSERT_TRUE(WaitFor(client, "skipped", kListeners / 2)) << ServerLog();
    EXPECT_EQ(server.Signal(SIGKILL) & 0x7f, SIGKILL);
  }
  {
    ServerProcess server(data_, config_, stderr_);
    ASSERT_GT(server.port(), 0) << ServerLog();
    ASSERT_TRUE(server.WaitReady()) << ServerLog();
    Client client(server.port());
    EXPECT_EQ(Outcomes(client, "skipped"), 0) << "an outcome was reported again after the replay";
    for (int i = 1; i < kListeners; i += 2) {
      const std::string user = segue::testing::Id("u", i);
      ASSERT_EQ(client.Send(http::verb::post, "/v1/events",
                            EventsJson({Ev(user + "c1", user, "complete", base + 1000 * i + 100000, played[user])}))
                    .status,
                202);
    }
    ASSERT_TRUE(WaitFor(client, "completed", kListeners / 2)) << ServerLog();
    EXPECT_EQ(Outcomes(client, "skipped"), 0);
    EXPECT_EQ(Sample(client.Send(http::verb::get, "/metrics").body, "segue_feedback_duplicate_outcomes_total"), 0);
    const int status = server.Signal(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ServerLog();
  }
  std::set<std::string> keys;
  size_t skipped = 0, completed = 0;
  const std::string store = data_ + "/" + feedback::kOutcomesSubdir;
  Status s = feedback::OutcomeStore::ExportAll(store, [&](const feedback::Outcome& o) {
    EXPECT_TRUE(keys.insert(feedback::OutcomeKey(o)).second) << o.user_id;
    EXPECT_EQ(o.track_id, played[o.user_id]);
    skipped += o.kind == feedback::OutcomeKind::kSkipped;
    if (o.kind == feedback::OutcomeKind::kCompleted) {
      ++completed;
      EXPECT_EQ(o.listened_ms, 95000) << "the play in progress at the kill lost its start";
    }
    return true;
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(skipped, kListeners / 2u);
  EXPECT_EQ(completed, kListeners / 2u);
  EXPECT_EQ(keys.size(), size_t{kListeners});

  // The same through `segue log export --outcomes`: one JSON object per line.
  int code = -1;
  const std::string out = test_support::RunCommand(
      std::string(SEGUE_BINARY) + " log export --outcomes --data-dir " + data_ + " 2>/dev/null", &code);
  EXPECT_EQ(code, 0);
  std::map<std::string, int> kinds;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) ++kinds[nlohmann::json::parse(line)["kind"].get<std::string>()];
  EXPECT_EQ(kinds, (std::map<std::string, int>{{"completed", kListeners / 2}, {"skipped", kListeners / 2}})) << out;
  test_support::RunCommand(std::string(SEGUE_BINARY) + " log export --outcomes --impressions --data-dir " + data_ +
                               " >/dev/null 2>&1",
                           &code);
  EXPECT_NE(code, 0) << "--outcomes and --impressions together must be refused";
}

}  // namespace
}  // namespace segue::serving
