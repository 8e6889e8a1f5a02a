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

  // Down for the lease and 2 s more. Every POST is refused; a GET session is answered from the tracker
  // while the node still holds the listener's partition, and refused once the node stopped owning its
  // partitions (no renewal for 2/3 of the lease): from then on it reads the unreachable online store. The
  // node must stop before its leases can have expired (lease_ms after the kill at most), since another node
  // reaching Redis could then take the partitions over.
  redis.server().Kill();
  const auto killed = Clock::now();
  Client reader(node->port());
  const std::string user = nlohmann::json::parse(lines.front())["user_id"].get<std::string>();  // has a session
  int rounds = 0, posts_refused = 0, gets_answered = 0, gets_refused = 0, other = 0;
  Millis slowest_post{0}, slowest_get{0}, first_get_refused{-1}, last_get_answered{-1};
  for (; Since(killed) < Millis(kLeaseMs + 2000); ++rounds) {
    auto start = Clock::now();
    posts_refused += poster.PostOnce(half).status == 503;
    slowest_post = std::max(slowest_post, Since(start));
    start = Clock::now();
    const Millis sent = Since(killed);
    const Reply session = reader.Send(http::verb::get, "/v1/users/" + user + "/session");
    slowest_get = std::max(slowest_get, Since(start));
    if (session.status == 503 && session.retry_after == "1") {
      ++gets_refused;
      if (first_get_refused.count() < 0) first_get_refused = sent;
    } else if (session.status == 200 && gets_refused == 0) {
      ++gets_answered;
      last_get_answered = sent;
    } else if (++other == 1) {
      ADD_FAILURE() << session.status << " " << session.body;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(posts_refused, rounds);
  EXPECT_EQ(poster.without_retry_after(), 0);
  EXPECT_EQ(other, 0) << "a GET session answered neither 200 (before the drop) nor 503 + Retry-After (after)";
  EXPECT_GT(gets_refused, 0);
  EXPECT_LT(last_get_answered, Millis(kLeaseMs)) << "answered as the owner after its lease may have expired";
  EXPECT_LT(slowest_post, kFastAnswer);
  EXPECT_LT(slowest_get, kFastAnswer);

  ASSERT_TRUE(redis.server().Restart().ok());
  const auto restarted = Clock::now();
  ASSERT_TRUE(poster.Post(half, half + 1, 50ms, 30s));
  const Millis resumed = Since(restarted);
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
  std::printf("redis down: %zu events, %zu listeners equal; while down: %d POSTs 503, GET session 200 x %d then 503 "
              "x %d (last 200 sent %lld ms, first 503 %lld ms after the kill), slowest POST %lld ms, slowest GET %lld ms; first 202 %lld ms after "
              "the restart (%d more 503s)\n",
              lines.size(), expected.size() - differ, posts_refused, gets_answered, gets_refused,
              static_cast<long long>(last_get_answered.count()),
              static_cast<long long>(first_get_refused.count()), static_cast<long long>(slowest_post.count()),
              static_cast<long long>(slowest_get.count()), static_cast<long long>(resumed.count()),
              poster.unavailable() - posts_refused);
}

}  // namespace
}  // namespace segue::serving
