#include "serving/server_config.h"

#include <fstream>

#include <gtest/gtest.h>

#include "../log/test_util.h"

namespace segue::serving {
namespace {

class ServerConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    std::string path = dir_.path() + "/segue.toml";
    std::ofstream(path) << text;
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(ServerConfigTest, ReadsEveryTable) {
  ServerConfig c;
  Status s = LoadServerConfig(Write(R"(
data_dir = "/var/lib/segue"
listen = "0.0.0.0:9000"
threads = 3
[http]
body_limit_bytes = 2048
max_connections = 10
idle_timeout_ms = 500
[events]
max_events_per_batch = 50
[log]
partitions = 8
sync = false
min_free_bytes = 0
[sessions]
timeout_ms = 60000
snapshot_interval_s = 5
[pipeline]
workers = 3
[scoring]
hysteresis = 0.25
cooldown_ms = 1000
)"),
                              &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.data_dir, "/var/lib/segue");
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.http.body_limit, 2048u);
  EXPECT_EQ(c.http.max_connections, 10u);
  EXPECT_EQ(c.http.idle_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c.http.body_timeout, std::chrono::milliseconds(30000));  // untouched default
  EXPECT_EQ(c.events.max_events_per_batch, 50u);
  EXPECT_EQ(c.log.partitions, 8u);
  EXPECT_FALSE(c.log.sync);
  EXPECT_EQ(c.log.min_free_bytes, 0u);
  EXPECT_EQ(c.sessions.session_timeout_ms, 60000);
  EXPECT_EQ(c.session_maintenance.snapshot_interval_s, 5);
  EXPECT_EQ(c.pipeline.workers, 3u);
  EXPECT_FLOAT_EQ(c.scoring.scorer.hysteresis, 0.25f);
  EXPECT_EQ(c.scoring.scorer.cooldown_ms, 1000);
  EXPECT_EQ(c.scoring.scorer.max_listeners, ScorerOptions{}.max_listeners);  // untouched default
}

TEST_F(ServerConfigTest, NumbersOutOfRangeNameTheKey) {
  ServerConfig c;
  Status st = LoadServerConfig(Write("[scoring]\nhysteresis = 1.5\n"), &c);
  EXPECT_NE(st.message().find("scoring.hysteresis: must be in 0"), std::string::npos) << st.message();
  st = LoadServerConfig(Write("[scoring]\nhysteresis = \"high\"\n"), &c);
  EXPECT_NE(st.message().find("scoring.hysteresis: must be a number"), std::string::npos) << st.message();
  EXPECT_FLOAT_EQ(c.scoring.scorer.hysteresis, ScorerOptions{}.hysteresis);
}

TEST_F(ServerConfigTest, ErrorsNameTheKey) {
  ServerConfig c;
  Status unknown = LoadServerConfig(Write("[http]\nmax_conections = 3\n"), &c);
  EXPECT_NE(unknown.message().find("http.max_conections: unknown key"), std::string::npos) << unknown.message();
  Status type = LoadServerConfig(Write("[log]\nsync = 1\n"), &c);
  EXPECT_NE(type.message().find("log.sync: must be true or false"), std::string::npos) << type.message();
  Status range = LoadServerConfig(Write("[http]\nmax_connections = 0\n"), &c);
  EXPECT_NE(range.message().find("http.max_connections: must be in 1..1000000, got 0"), std::string::npos)
      << range.message();
  Status syntax = LoadServerConfig(Write("threads = \n"), &c);
  EXPECT_FALSE(syntax.ok());
  EXPECT_NE(syntax.message().find("segue.toml:1:"), std::string::npos) << syntax.message();
}

// Regression for a fuzz/server_config finding: a float where an integer is expected was converted by
// toml++ before the type check, undefined behaviour beyond int64's range (clang's UBSan reported it; the
// fuzz corpus replays that input). Floats of any size are a type error naming the key.
TEST_F(ServerConfigTest, FloatsWhereIntegersAreExpectedAreTypeErrors) {
  for (const char* value : {"2.0", "6.38e21", "-1e300", "inf", "nan"}) {
    ServerConfig c;
    Status st = LoadServerConfig(Write(std::string("models_check_interval_s = ") + value + "\n"), &c);
    EXPECT_NE(st.message().find("models_check_interval_s: must be an integer"), std::string::npos)
        << value << ": " << st.message();
    EXPECT_EQ(c.scoring.models_check_interval_s, ServerConfig{}.scoring.models_check_interval_s) << value;
  }
}

TEST_F(ServerConfigTest, ReadsTheBusTable) {
  ServerConfig c;
  Status s = LoadServerConfig(Write(R"(
data_dir = "d"
[bus]
url = "redis://127.0.0.1:7000,127.0.0.1:7001"
node_id = "node-a"
lease_ms = 1500
retain_events = 1000
wait_replicas = 1
dedup_window_ms = 600000
accept_weak_durability = true
)"),
                              &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.bus.redis.url, "redis://127.0.0.1:7000,127.0.0.1:7001");
  EXPECT_EQ(c.bus.node_id, "node-a");
  EXPECT_EQ(c.bus.lease_ms, 1500);
  EXPECT_EQ(c.bus.retain_events, 1000u);
  EXPECT_EQ(c.bus.redis.wait_replicas, 1);
  EXPECT_EQ(c.bus.redis.dedup_window_ms, 600000);
  EXPECT_TRUE(c.bus.redis.accept_weak_durability);
  EXPECT_TRUE(ValidateServerConfig(c).ok());
  c.bus.redis.url = "http://127.0.0.1:7000";
  Status bad = ValidateServerConfig(c);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("bus.url"), std::string::npos) << bad.message();
}

TEST_F(ServerConfigTest, ReadsThePushTable) {
  ServerConfig c;
  Status s = LoadServerConfig(Write(R"(
[push]
buffer_messages = 4
max_subscribers_per_listener = 2
max_subscribers = 100
disconnect_after_drops = 0
keepalive_interval_ms = 5000
webhook_url = "http://127.0.0.1:9000/hook"
webhook_timeout_ms = 750
webhook_max_attempts = 3
webhook_initial_backoff_ms = 50
webhook_max_backoff_ms = 800
webhook_queue_messages = 64
webhook_workers = 1
)"),
                              &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const push::PushOptions& p = c.push;
  EXPECT_EQ(p.hub.buffer_messages, 4u);
  EXPECT_EQ(p.hub.max_subscribers_per_listener, 2u);
  EXPECT_EQ(p.hub.max_subscribers, 100u);
  EXPECT_EQ(p.hub.disconnect_after_drops, 0u);
  EXPECT_EQ(p.keepalive_interval.count(), 5000);
  EXPECT_EQ(p.webhook.url, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(p.webhook.timeout.count(), 750);
  EXPECT_EQ(p.webhook.max_attempts, 3u);
  EXPECT_EQ(p.webhook.initial_backoff.count(), 50);
  EXPECT_EQ(p.webhook.max_backoff.count(), 800);
  EXPECT_EQ(p.webhook.queue_messages, 64u);
  EXPECT_EQ(p.webhook.workers, 1u);

  c.data_dir = "/tmp/x";
  EXPECT_TRUE(ValidateServerConfig(c).ok());
  c.push.webhook.url = "https://example.com/hook";
  EXPECT_NE(ValidateServerConfig(c).message().find("push.webhook_url"), std::string::npos);
  Status range = LoadServerConfig(Write("[push]\nbuffer_messages = 0\n"), &c);
  EXPECT_NE(range.message().find("push.buffer_messages: must be in"), std::string::npos) << range.message();
}

TEST_F(ServerConfigTest, RetrieverChoiceIsCheckedAndTwoTowerNeedsItsBundles) {
  ServerConfig c;
  c.data_dir = "/tmp/x";
  EXPECT_EQ(c.recommend.retriever, "blend");
  Status bad = LoadServerConfig(Write("[recommend]\nretriever = \"magic\"\n"), &c);
  EXPECT_NE(bad.message().find("recommend.retriever: must be"), std::string::npos) << bad.message();
  ASSERT_TRUE(LoadServerConfig(Write("[recommend]\nretriever = \"two_tower\"\n"), &c).ok());
  Status missing = ValidateServerConfig(c);
  EXPECT_NE(missing.message().find("needs recommend.retrieval_models_dir"), std::string::npos) << missing.message();
  ASSERT_TRUE(LoadServerConfig(Write("[recommend]\nretrieval_models_dir = \"/m\"\n"), &c).ok());
  EXPECT_TRUE(ValidateServerConfig(c).ok());
  EXPECT_EQ(c.recommend.retrieval_models_dir, "/m");
}

TEST_F(ServerConfigTest, RankerChoiceIsCheckedAndXgboostNeedsItsBundle) {
  ServerConfig c;
  c.data_dir = "/tmp/x";
  EXPECT_EQ(c.recommend.ranker, "auto");
  EXPECT_EQ(c.recommend.EffectiveRanker(), "pass_through");  // no bundle named
  c.recommend.ranker_dir = "/r";
  EXPECT_EQ(c.recommend.EffectiveRanker(), "xgboost");
  c.recommend.retriever = "two_tower";  // not what the ranker was trained on
  EXPECT_EQ(c.recommend.EffectiveRanker(), "pass_through");
  c.recommend.ranker = "xgboost";  // unless asked for
  EXPECT_EQ(c.recommend.EffectiveRanker(), "xgboost");
  c = ServerConfig{};
  c.data_dir = "/tmp/x";
  Status bad = LoadServerConfig(Write("[recommend]\nranker = \"magic\"\n"), &c);
  EXPECT_NE(bad.message().find("recommend.ranker: must be"), std::string::npos) << bad.message();
  ASSERT_TRUE(LoadServerConfig(Write("[recommend]\nranker = \"xgboost\"\n"), &c).ok());
  Status missing = ValidateServerConfig(c);
  EXPECT_NE(missing.message().find("needs recommend.ranker_dir"), std::string::npos) << missing.message();
  ASSERT_TRUE(LoadServerConfig(Write("[recommend]\nranker = \"xgboost\"\nranker_dir = \"/r\"\n"), &c).ok());
  EXPECT_TRUE(ValidateServerConfig(c).ok());
  EXPECT_EQ(c.recommend.ranker_dir, "/r");
}

TEST_F(ServerConfigTest, ReadsTheRecommendTable) {
  ServerConfig c;
  Status s = LoadServerConfig(Write(R"(
[recommend]
candidates = 300
default_k = 20
deadline_ms = 30
cache_entries = 5
explicit_filter = false
exclude_played_hours = 12
new_release_boost = 0.25
diversity = "mmr"
mmr_lambda = 1
history_max_listeners = 5000
history_max_tracks = 50
popularity_hour_tracks = 100
knn_window = 5
knn_decay = 0.5
blend_popularity = 0
)"), &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.recommend.candidates, 300u);
  EXPECT_EQ(c.recommend.default_k, 20u);
  EXPECT_EQ(c.recommend.deadline_ms, 30);
  EXPECT_EQ(c.recommend.cache_entries, 5u);
  EXPECT_FALSE(c.recommend.filters.explicit_filter);
  EXPECT_EQ(c.recommend.filters.exclude_played_hours, 12u);
  EXPECT_FLOAT_EQ(c.recommend.filters.new_release_boost, 0.25f);
  EXPECT_EQ(c.recommend.filters.diversity, recommend::DiversityMode::kMmr);
  EXPECT_FLOAT_EQ(c.recommend.filters.mmr_lambda, 1.f);
  EXPECT_EQ(c.recommend.history.max_listeners, 5000u);
  EXPECT_EQ(c.recommend.history.max_tracks_per_listener, 50u);
  EXPECT_EQ(c.recommend.baselines.popularity.hour_tracks, 100u);
  EXPECT_EQ(c.recommend.baselines.session_knn.window, 5u);
  EXPECT_FLOAT_EQ(c.recommend.baselines.session_knn.decay, 0.5f);
  EXPECT_FLOAT_EQ(c.recommend.baselines.blend_popularity, 0.f);
  EXPECT_EQ(c.recommend.max_k, recommend::RecommendConfig{}.max_k);  // untouched
  EXPECT_EQ(c.recommend.baselines.session_knn.neighbours, recommend::SessionKnnOptions{}.neighbours);

  EXPECT_NE(LoadServerConfig(Write("[recommend]\nk = 3\n"), &c).message().find("recommend.k: unknown key"),
            std::string::npos);
  EXPECT_NE(LoadServerConfig(Write("[recommend]\ndiversity = \"zigzag\"\n"), &c).message().find("recommend.diversity"),
            std::string::npos);
  EXPECT_NE(LoadServerConfig(Write("[recommend]\nmmr_lambda = 1.5\n"), &c).message().find("recommend.mmr_lambda"),
            std::string::npos);
  EXPECT_NE(LoadServerConfig(Write("[recommend]\nknn_window = 0\n"), &c).message().find("recommend.knn_window"),
            std::string::npos);
  EXPECT_NE(LoadServerConfig(Write("[recommend]\ndefault_k = 200\n"), &c).message().find("recommend.default_k"),
            std::string::npos);
}

TEST_F(ServerConfigTest, ValidateRequiresDataDir) {
  ServerConfig c;
  EXPECT_FALSE(ValidateServerConfig(c).ok());
  c.data_dir = "/tmp/x";
  EXPECT_TRUE(ValidateServerConfig(c).ok());
}

TEST_F(ServerConfigTest, ReadsTheFeedbackTable) {
  ServerConfig c;
  Status s = LoadServerConfig(Write(R"([feedback]
window_ms = 600000
max_pending_per_listener = 4
max_pending = 1000
sweep_interval_ms = 250
)"),
                              &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.feedback.attribution.window_ms, 600'000);
  EXPECT_EQ(c.feedback.attribution.max_pending_per_listener, 4u);
  EXPECT_EQ(c.feedback.max_pending, 1000u);
  EXPECT_EQ(c.feedback.sweep_interval_ms, 250);
  EXPECT_NE(LoadServerConfig(Write("[feedback]\nwindow_ms = 0\n"), &c).message().find("feedback.window_ms"),
            std::string::npos);
}

}  // namespace
}  // namespace segue::serving
