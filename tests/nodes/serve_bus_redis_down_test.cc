// `segue serve --bus` when its redis-server dies (SIGKILL) and comes back on the same port with its AOF
// folder: while it is down, POST /v1/events and GET /v1/users/{id}/session answer 503 with Retry-After
// fast (never hang); once it is back, ingest resumes and every event acknowledged before the kill is
// still there and applied once (each listener's session equals a single embedded-log server's after the
// same stream, which the client completes by retrying its refused batches).
#include "tests/nodes/retrying_poster.h"
#include "tests/nodes/serve_bus_fixture.h"

namespace segue::serving {
namespace {

// Slowest acceptable answer while Redis is down: connection refused on loopback fails at once; the bound
// leaves room for a loaded 2-core machine, well under the client-side command timeout (2 s).
constexpr auto kFastAnswer = 1500ms;

TEST_F(ServeBusTest, RedisDownAnswers503FastAndResumesWithoutLosingAcknowledgedEvents) {
  const std::map<std::string, std::string> expected = EmbeddedSessions();
  test_support::RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  std::unique_ptr<ServerProcess> node = StartNode(redis.url(), "n0");
  Client metrics(node->port());
  ASSERT_TRUE(WaitFor([&] { return Sample(metrics, "segue_node_partitions_owned") == kPartitions; }, 15s));

  const std::vector<std::string> lines = ReadLines(events_);
  RetryingPoster poster(node->port(), lines, 50);
  const size_t half = poster.batches() / 2;
  ASSERT_TRUE(poster.Post(0, half, 50ms, 60s));
  ASSERT_EQ(poster.unavailable(), 0);

  redis.server().Kill();
  const auto killed = Clock::now();
  const Reply refused = poster.PostOnce(half);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.retry_after, "1");
  EXPECT_LT(poster.slowest(), kFastAnswer);

  // The node drops its partitions once it could not renew them for 2/3 of the lease; from then on a
  // session is read from the (unreachable) online store.
  Client reader(node->port());
  Reply session;
  std::chrono::milliseconds slowest_get{0};
  ASSERT_TRUE(WaitFor([&] {
    const auto start = Clock::now();
    session = reader.Send(http::verb::get, "/v1/users/" + users_.front() + "/session");
    slowest_get = std::max(slowest_get, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start));
    return session.status == 503;
  }, std::chrono::milliseconds(kLeaseMs + 3000))) << session.status << " " << session.body;
  EXPECT_EQ(session.retry_after, "1");
  EXPECT_LT(slowest_get, kFastAnswer);
  const auto refused_for = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);

  ASSERT_TRUE(redis.server().Restart().ok());
  const auto restarted = Clock::now();
  const int refused_before = poster.unavailable();
  ASSERT_TRUE(poster.Post(half, half + 1, 50ms, 30s));
  const auto resumed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restarted);
  ASSERT_TRUE(poster.Post(half + 1, poster.batches(), 50ms, 60s));
  EXPECT_EQ(poster.without_retry_after(), 0);
  EXPECT_EQ(poster.accepted(), static_cast<int64_t>(lines.size()));
  EXPECT_EQ(poster.duplicates(), 0);

  auto client = bus::RedisClient::Connect({.seeds = bus::ParseRedisUrl(redis.url()).value(), .timeouts = {}, .max_rounds = 6});
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(StoredEvents(**client), lines.size());
  ASSERT_TRUE(WaitFor([&] { return AllCommitted(**client); }, 30s));
  const size_t differ = DifferingSessions(expected, node->port(), users_);
  EXPECT_EQ(differ, 0u) << "of " << expected.size() << " listeners";
  std::printf("redis down: %zu events, %zu listeners equal; POST refused in %lld ms, GET session 503 after %lld ms "
              "(slowest %lld ms); %d POSTs refused while down; first 202 %lld ms after the restart (%d refused)\n",
              lines.size(), expected.size() - differ, static_cast<long long>(poster.slowest().count()),
              static_cast<long long>(refused_for.count()), static_cast<long long>(slowest_get.count()),
              refused_before, static_cast<long long>(resumed.count()), poster.unavailable() - refused_before);
}

}  // namespace
}  // namespace segue::serving
