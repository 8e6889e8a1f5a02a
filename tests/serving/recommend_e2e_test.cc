// End to end through `segue serve` as a process, with a disengagement model loaded: a listener's skip
// burst fires the trigger, and the recommendations computed for it reach the listener's open SSE stream,
// with nothing they already played in the session.
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "../models/skip_burst_bundle.h"
#include "common/time_util.h"
#include "features/feature_spec.h"
#include "models/disengagement_bundle.h"
#include "replay/sse_client.h"
#include "recommend_fixture.h"
#include "server_process.h"

namespace segue::serving {
namespace {

TEST(RecommendE2eTest, SkipBurstLeadsToAPushWithNothingPlayedInTheSession) {
  testing::TempDir dir;
  ASSERT_TRUE(SaveBundle(segue::testing::TrainSkipBurstBundle(5000, 1500, 21, 6), dir.path() + "/models/v1").ok());
  const std::string config = dir.path() + "/segue.toml";
  std::ofstream(config) << "models_dir = \"" << dir.path() << "/models\"\n[log]\nmin_free_bytes = 0\n";
  ServerProcess server(dir.path() + "/data", config, dir.path() + "/server.log");
  ASSERT_GT(server.port(), 0) << server.first_line();
  ASSERT_TRUE(server.WaitReady());
  Client client(server.port());

  ASSERT_EQ(client.Send(http::verb::post, "/v1/tracks", FixtureTracksJson()).status, 200);
  // Other listeners complete plays of every track, so the retrievers have something to propose.
  ASSERT_EQ(client.Send(http::verb::post, "/v1/events", FixtureOtherListenersJson(NowMs() - 3'600'000)).status, 202);

  Result<std::unique_ptr<SseClient>> sse = SseClient::Open("127.0.0.1", std::to_string(server.port()), "/v1/users/burst/stream");
  ASSERT_TRUE(sse.ok()) << sse.status().ToString();

  // One completed play, then skips, each posted on its own as a client would, until a push arrives: the
  // recommendation must leave out everything played before it (later plays may well be recommended).
  std::set<std::string> played;
  int64_t ts = NowMs() - 600'000;
  auto post = [&](const std::string& id, const std::string& type, const std::string& track) {
    return client.Send(http::verb::post, "/v1/events", "[" + EventJson(id, "burst", type, ts, track) + "]").status;
  };
  ASSERT_EQ(post("b-p0", "play", "t0"), 202);
  played.insert("t0");
  ts += 199'000;
  ASSERT_EQ(post("b-c0", "complete", "t0"), 202);
  Result<SseEvent> event = Status::DeadlineExceeded("no skip posted");
  std::string last_skip;
  for (int i = 1; i <= 8 && !event.ok(); ++i) {
    const std::string track = "t" + std::to_string(i * 2);
    ts += 1'000;
    ASSERT_EQ(post("b-p" + std::to_string(i), "play", track), 202);
    played.insert(track);
    ts += 4'000;
    last_skip = "b-s" + std::to_string(i);
    ASSERT_EQ(post(last_skip, "skip", track), 202);
    event = (*sse)->Next(std::chrono::seconds(3));
  }
  ASSERT_TRUE(event.ok()) << "no push after 8 skips: " << event.status().ToString();
  EXPECT_EQ(event->event, "recommendations");
  const nlohmann::json push = nlohmann::json::parse(event->data);
  EXPECT_EQ(push["user_id"], "burst");
  EXPECT_GT(push["trigger_score"].get<double>(), 0.0);
  EXPECT_EQ(push["trigger_event_id"], last_skip);  // the skip whose score fired the trigger
  EXPECT_FALSE(push["rec_id"].get<std::string>().empty());
  EXPECT_EQ(event->id, push["rec_id"].get<std::string>());
  ASSERT_FALSE(push["items"].empty()) << push.dump();
  for (const auto& item : push["items"]) {
    EXPECT_EQ(played.count(item["track_id"].get<std::string>()), 0u) << item["track_id"] << " was played in the session";
  }
  const Reply metrics = client.Send(http::verb::get, "/metrics");
  EXPECT_NE(metrics.body.find("segue_trigger_pushes_total 1"), std::string::npos);
}

}  // namespace
}  // namespace segue::serving
