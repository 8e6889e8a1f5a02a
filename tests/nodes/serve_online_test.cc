// Two `segue serve --bus` nodes with a disengagement model on one redis-server: a listener whose partition
// node A owns is served by node B from the online store (GET .../session with A's disengagement score, GET
// .../recommendations from the stored session), and an SSE subscriber on B receives A's trigger push,
// while one on A receives it once (no duplicate through the relay).
#include <set>

#include "../models/skip_burst_bundle.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "models/disengagement_bundle.h"
#include "replay/sse_client.h"
#include "tests/nodes/serve_bus_fixture.h"
#include "tests/serving/recommend_fixture.h"

namespace segue::serving {
namespace {

class ServeOnlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SEGUE_SKIP_WITHOUT_REDIS();
    ASSERT_TRUE(redis_.Start().ok());
    ASSERT_TRUE(SaveBundle(segue::testing::TrainSkipBurstBundle(5000, 1500, 21, 6), dir_.path() + "/models/v1").ok());
    a_ = StartNode("a");
    b_ = StartNode("b");
    ca_ = std::make_unique<Client>(a_->port());
    cb_ = std::make_unique<Client>(b_->port());
    ASSERT_TRUE(WaitFor([&] {
      return Sample(*ca_, "segue_node_partitions_owned") == kPartitions / 2 &&
             Sample(*cb_, "segue_node_partitions_owned") == kPartitions / 2;
    }, 15s));
    // Each node's catalog is its own (loaded at start): both are given the tracks.
    ASSERT_EQ(ca_->Send(http::verb::post, "/v1/tracks", FixtureTracksJson()).status, 200);
    ASSERT_EQ(cb_->Send(http::verb::post, "/v1/tracks", FixtureTracksJson()).status, 200);
    ASSERT_EQ(ca_->Send(http::verb::post, "/v1/events", FixtureOtherListenersJson(NowMs() - 3'600'000)).status, 202);
    redis_client_ = bus::RedisClient::Connect({.seeds = bus::ParseRedisUrl(redis_.url()).value(), .timeouts = {},
                                               .max_rounds = 6}).value();
    user_ = OwnedBy("a");
    ASSERT_FALSE(user_.empty());
  }

  std::unique_ptr<ServerProcess> StartNode(const std::string& id) {
    const std::string config = dir_.path() + "/" + id + ".toml";
    std::ofstream(config) << "models_dir = \"" << dir_.path() << "/models\"\n[log]\nmin_free_bytes = 0\n[bus]\nurl = \""
                          << redis_.url() << "\"\nnode_id = \"" << id << "\"\nlease_ms = " << kLeaseMs << "\n";
    auto node = std::make_unique<ServerProcess>(dir_.path() + "/" + id, config, dir_.path() + "/" + id + ".log");
    EXPECT_TRUE(node->WaitReady()) << id;
    return node;
  }

  // A listener id whose partition `node` holds the lease of.
  std::string OwnedBy(const std::string& node) {
    for (int i = 0; i < 200; ++i) {
      const std::string user = "listener" + std::to_string(i);
      auto lease = redis_client_->Command({{"GET", nodes::LeaseKey(PartitionOf(user, kPartitions))}});
      if (lease.ok() && lease->str == node) return user;
    }
    return "";
  }

  // Posts to node A one completed play, then (play, skip) pairs until `pushed` says a push arrived; the
  // tracks played.
  std::set<std::string> SkipBurst(const std::function<bool()>& pushed) {
    std::set<std::string> played;
    int64_t ts = NowMs() - 600'000;
    auto post = [&](const std::string& id, const std::string& type, const std::string& track) {
      EXPECT_EQ(ca_->Send(http::verb::post, "/v1/events", "[" + EventJson(user_ + id, user_, type, ts, track) + "]").status, 202);
      played.insert(track);
    };
    post("-p0", "play", "t0");
    ts += 199'000;
    post("-c0", "complete", "t0");
    for (int i = 1; i <= 8 && !pushed(); ++i) {
      ts += 1'000;
      post("-p" + std::to_string(i), "play", "t" + std::to_string(i * 2));
      ts += 4'000;
      post("-s" + std::to_string(i), "skip", "t" + std::to_string(i * 2));
    }
    return played;
  }

  test_support::RedisSingle redis_;
  segue::testing::TempDir dir_;
  std::unique_ptr<ServerProcess> a_, b_;
  std::unique_ptr<Client> ca_, cb_;
  std::unique_ptr<bus::RedisClient> redis_client_;
  std::string user_;
};

TEST_F(ServeOnlineTest, NonOwnerServesTheOwnersScoreAndRecommendsFromTheStoredSession) {
  auto scored = [&] {
    const nlohmann::json s = nlohmann::json::parse(ca_->Send(http::verb::get, "/v1/users/" + user_ + "/session").body,
                                                   nullptr, false);
    return s.is_object() && !s["last_trigger"].is_null();
  };
  const std::set<std::string> played = SkipBurst(scored);
  ASSERT_TRUE(WaitFor(scored, 10s)) << "no trigger on the owner";
  ASSERT_TRUE(WaitFor([&] { return AllCommitted(*redis_client_); }, 10s));
  const Reply on_a = ca_->Send(http::verb::get, "/v1/users/" + user_ + "/session");
  const Reply on_b = cb_->Send(http::verb::get, "/v1/users/" + user_ + "/session");
  ASSERT_EQ(on_b.status, 200) << on_b.body;
  const nlohmann::json session = nlohmann::json::parse(on_b.body);
  EXPECT_TRUE(session["disengagement_score"].is_number()) << on_b.body;
  EXPECT_FALSE(session["last_trigger"].is_null()) << on_b.body;
  EXPECT_EQ(on_b.body, on_a.body);  // all committed: the owner's state, score and trigger included

  const Reply recs = cb_->Send(http::verb::get, "/v1/users/" + user_ + "/recommendations?k=10");
  ASSERT_EQ(recs.status, 200) << recs.body;
  const nlohmann::json items = nlohmann::json::parse(recs.body)["items"];
  ASSERT_FALSE(items.empty()) << recs.body;
  for (const auto& item : items) {
    EXPECT_EQ(played.count(item["track_id"].get<std::string>()), 0u) << item["track_id"] << " was played in the session";
  }
}

// A pull served by B for A's listener is handed to A through Redis: the listener's later play of a
// recommended track gets its outcome on A (B's own collector never sees the listener's events).
TEST_F(ServeOnlineTest, APullServedByANonOwnerGetsItsOutcomeOnTheOwner) {
  const int64_t now = NowMs();
  const std::string history = EventJson(user_ + "-h0", user_, "play", now - 600'000, "t0") + "," +
                              EventJson(user_ + "-h1", user_, "complete", now - 401'000, "t0");
  ASSERT_EQ(ca_->Send(http::verb::post, "/v1/events", "[" + history + "]").status, 202);
  ASSERT_TRUE(WaitFor([&] { return AllCommitted(*redis_client_); }, 10s));
  const Reply recs = cb_->Send(http::verb::get, "/v1/users/" + user_ + "/recommendations?k=5");
  ASSERT_EQ(recs.status, 200) << recs.body;
  const nlohmann::json items = nlohmann::json::parse(recs.body)["items"];
  ASSERT_FALSE(items.empty()) << recs.body;
  const std::string track = items[0]["track_id"].get<std::string>();
  ASSERT_TRUE(WaitFor([&] { return Sample(*cb_, "segue_impressions_relayed_total") == 1; }, 5s));

  const std::string reaction = EventJson(user_ + "-r0", user_, "play", now - 250'000, track) + "," +
                               EventJson(user_ + "-r1", user_, "complete", now - 51'000, track);
  ASSERT_EQ(ca_->Send(http::verb::post, "/v1/events", "[" + reaction + "]").status, 202);
  const std::string completed = "segue_feedback_outcomes_total{kind=\"completed\"}";
  EXPECT_TRUE(WaitFor([&] { return Sample(*ca_, completed) == 1; }, 10s))
      << ca_->Send(http::verb::get, "/metrics").body;
  EXPECT_LE(Sample(*cb_, completed), 0);  // B recorded nothing it could attribute
}

// Every SSE event `sse` receives until it has been quiet for `quiet`.
std::vector<SseEvent> Drain(SseClient& sse, std::chrono::milliseconds quiet) {
  std::vector<SseEvent> events;
  for (Result<SseEvent> e = sse.Next(quiet); e.ok(); e = sse.Next(quiet)) events.push_back(std::move(*e));
  return events;
}

TEST_F(ServeOnlineTest, ASubscriberOnANonOwnerReceivesTheOwnersPushOnce) {
  ASSERT_TRUE(WaitFor([&] { return Sample(*cb_, "segue_push_relay_subscribed") == 1; }, 10s));
  const std::string path = "/v1/users/" + user_ + "/stream";
  Result<std::unique_ptr<SseClient>> on_b = SseClient::Open("127.0.0.1", std::to_string(b_->port()), path);
  Result<std::unique_ptr<SseClient>> on_a = SseClient::Open("127.0.0.1", std::to_string(a_->port()), path);
  ASSERT_TRUE(on_b.ok() && on_a.ok());
  Result<SseEvent> first = Status::DeadlineExceeded("no skip posted");
  SkipBurst([&] {
    if (!first.ok()) first = (*on_b)->Next(3s);
    return first.ok();
  });
  ASSERT_TRUE(first.ok()) << "no push reached node B's subscriber: " << first.status().ToString();
  const nlohmann::json push = nlohmann::json::parse(first->data);
  EXPECT_EQ(push["user_id"], user_);
  EXPECT_GT(push["trigger_score"].get<double>(), 0.0);

  // Each push the owner made reaches each subscriber exactly once, whichever node it is connected to.
  std::vector<SseEvent> b_events = Drain(**on_b, 1500ms), a_events = Drain(**on_a, 1500ms);
  b_events.insert(b_events.begin(), *first);
  std::multiset<std::string> on_b_ids, on_a_ids;
  for (const SseEvent& e : b_events) on_b_ids.insert(e.id);
  for (const SseEvent& e : a_events) on_a_ids.insert(e.id);
  EXPECT_EQ(on_a_ids, on_b_ids);
  EXPECT_EQ(std::set<std::string>(on_a_ids.begin(), on_a_ids.end()).size(), on_a_ids.size()) << "duplicate on A";
  EXPECT_EQ(Sample(*ca_, "segue_trigger_pushes_total"), static_cast<double>(on_a_ids.size()));
  EXPECT_EQ(Sample(*cb_, "segue_trigger_pushes_total"), 0);  // B relayed, it did not compute
}

}  // namespace
}  // namespace segue::serving
