// Processing nodes against a real redis-server (tests/bus/redis_fixture.h): leases, fair shares and
// hand-over between nodes, and the readers' exactly-once effect through a takeover after kill -9.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "bus/redis_client.h"
#include "catalog/catalog.h"
#include "common/hash.h"
#include "common/metrics.h"
#include "bus/redis_event_appender.h"
#include "bus/redis_keys.h"
#include "feedback/feedback_collector.h"
#include "nodes/impression_stream.h"
#include "nodes/lease_table.h"
#include "nodes/node_keys.h"
#include "nodes/online_store.h"
#include "nodes/partition_ownership.h"
#include "nodes/partition_readers.h"
#include "nodes/redis_push_relay.h"
#include "session/session_codec.h"
#include "session/session_json.h"
#include "session/session_test_util.h"
#include "session/session_tracker.h"
#include "tests/bus/redis_fixture.h"

namespace segue::nodes {
namespace {

using namespace std::chrono_literals;
using segue::testing::Ev;
using segue::testing::Name;
using segue::testing::kSec;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kPartitions = 8;

bus::RedisClientOptions Options(const std::string& url) {
  bus::RedisClientOptions o;
  o.seeds = bus::ParseRedisUrl(url).value();
  return o;
}

std::unique_ptr<bus::RedisClient> Connect(const std::string& url) {
  auto c = bus::RedisClient::Connect(Options(url));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

// Appends through the bus's appender and returns each event stored (not a duplicate) with its partition
// and offset.
std::vector<LoggedEvent> Append(bus::RedisEventAppender& appender, const std::vector<Event>& events) {
  std::promise<Result<AppendOutcome>> promise;
  appender.AppendAsync(events, [&](Result<AppendOutcome> r) { promise.set_value(std::move(r)); });
  Result<AppendOutcome> outcome = promise.get_future().get();
  EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
  std::vector<LoggedEvent> out;
  for (size_t i = 0; outcome.ok() && i < events.size(); ++i) {
    if (outcome->seqs[i] != 0) out.push_back({PartitionOf(events[i].user_id, kPartitions), outcome->seqs[i], 0, events[i]});
  }
  return out;
}

// Listeners u0..u{users-1}, plays, skips and completes a few seconds apart, session gaps now and then.
std::vector<Event> Stream(int users, int per_user, int round_offset = 0) {
  std::vector<Event> out;
  const EventType types[] = {EventType::kPlay, EventType::kSkip, EventType::kPlay, EventType::kComplete,
                             EventType::kPause, EventType::kResume};
  for (int i = round_offset; i < round_offset + per_user; ++i) {
    for (int u = 0; u < users; ++u) {
      const EventType type = types[(i + u) % std::size(types)];
      const int64_t t = i * 20 * kSec + u + (i % 17 == 16 ? 40 * 60 * kSec : 0) * (i / 17);
      Event e = Ev(type, t, EventTypeNeedsTrack(type) ? Name("t", (i * 7 + u) % 13) : "", 1000, Name("u", u));
      out.push_back(std::move(e));
    }
  }
  return out;
}

// A processing node in this process: its own catalog, tracker and metrics, as a `segue serve` has.
struct Node {
  // `apply_delay`: time taken per event applied (a slow node always has entries read but not committed).
  Node(const std::string& url, std::string id, int64_t lease_ms, std::chrono::microseconds apply_delay = {})
      : tracker(&catalog),
        readers(ReaderOptions{.node_id = id, .batch_events = 500, .block_ms = 20, .wait = {}, .retain_events = 0},
                Options(url), &tracker,
                [this, apply_delay](const std::vector<LoggedEvent>& events) {
                  for (const LoggedEvent& e : events) {
                    tracker.Apply(e);
                    std::this_thread::sleep_for(apply_delay);
                  }
                },
                [](std::string_view user) { return std::optional<std::string>("{\"view of\":\"" + std::string(user) + "\"}"); },
                registry),
        ownership({.node_id = id, .partitions = kPartitions, .lease_ms = lease_ms}, Options(url),
                  [this](const std::vector<uint32_t>& ps) { readers.Take(ps); },
                  [this](const std::vector<uint32_t>& ps) { readers.Drop(ps); }, registry) {}

  Catalog catalog;
  SessionTracker tracker;
  metrics::Registry registry;
  PartitionReaders readers;
  PartitionOwnership ownership;
};

// True once every partition's checkpoint reached the last offset appended to it.
bool AllCommitted(bus::RedisClient& redis) {
  OnlineStore store(&redis, "reader");
  for (uint32_t p = 0; p < kPartitions; ++p) {
    auto end = redis.Command({{"GET", PartitionKey(p, "offset")}});
    auto checkpoint = store.Checkpoint(p);
    if (!end.ok() || !checkpoint.ok()) return false;
    const uint64_t last = end->type == bus::RedisReply::Type::kNil ? 0 : std::stoull(end->str);
    if (*checkpoint != last) return false;
  }
  return true;
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

// The stored sessions (every partition, read as any node would) equal a single tracker fed every event once.
void ExpectStoredEqualsReference(bus::RedisClient& redis, const std::vector<LoggedEvent>& all) {
  Catalog catalog;
  SessionTracker reference(&catalog);
  for (const LoggedEvent& e : all) reference.Apply(e);
  SessionTracker stored(&catalog);
  OnlineStore store(&redis, "reader");
  for (uint32_t p = 0; p < kPartitions; ++p) {
    ASSERT_TRUE(store.ScanPartition(p, [&](std::string_view, std::string_view chunk) {
      ASSERT_TRUE(DecodeSessionChunk(chunk, &stored).ok());
    }).ok());
  }
  EXPECT_EQ(stored.active_sessions(), reference.active_sessions());
  EXPECT_EQ(stored.stats().events_applied, 0u);
  for (uint32_t shard = 0; shard < reference.shard_count(); ++shard) {
    reference.ForEachSession(shard, [&](const SessionState& s) {
      std::optional<SessionState> got = stored.Get(s.user_id);
      ASSERT_TRUE(got.has_value()) << s.user_id;
      EXPECT_EQ(*got, s) << s.user_id << ": stored " << SessionToJson(*got, catalog) << "\nexpected "
                         << SessionToJson(s, catalog);
    });
  }
}

class NodeRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SEGUE_SKIP_WITHOUT_REDIS();
    ASSERT_TRUE(redis_.Start().ok());
    client_ = Connect(redis_.url());
    ASSERT_NE(client_, nullptr);
    bus::RedisBusOptions options;
    options.url = redis_.url();
    options.partitions = kPartitions;
    auto appender = bus::RedisEventAppender::Open(options);
    ASSERT_TRUE(appender.ok()) << appender.status().ToString();
    appender_ = std::move(*appender);
  }
  test_support::RedisSingle redis_;
  std::unique_ptr<bus::RedisClient> client_;
  std::unique_ptr<bus::RedisEventAppender> appender_;
};

TEST_F(NodeRedisTest, LeasesAreExclusiveRenewedByTheirHolderAndExpire) {
  LeaseTable a(client_.get(), "a", 300), b(client_.get(), "b", 300);
  const std::vector<uint32_t> both = {0, 1}, zero = {0}, one = {1};
  auto renewed = [](LeaseTable& t, const std::vector<uint32_t>& ps) { return t.HeartbeatAndRenew(ps).value().held; };
  EXPECT_EQ(a.Acquire(both).value(), both);
  EXPECT_TRUE(b.Acquire(both).value().empty());
  EXPECT_TRUE(renewed(b, both).empty());
  ASSERT_TRUE(b.Release(zero).ok());  // not b's: nothing happens
  EXPECT_EQ(renewed(a, both), both);
  ASSERT_TRUE(a.Release(zero).ok());
  EXPECT_EQ(b.Acquire(both).value(), zero);
  std::this_thread::sleep_for(400ms);  // a's lease of 1 expires unrenewed, and both memberships
  EXPECT_TRUE(renewed(a, one).empty());
  EXPECT_EQ(b.Acquire(one).value(), one);

  EXPECT_EQ(a.HeartbeatAndRenew({}).value().live, std::vector<std::string>{"a"});
  EXPECT_EQ(b.HeartbeatAndRenew({}).value().live, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(a.Leave().ok());
  EXPECT_EQ(b.HeartbeatAndRenew({}).value().live, std::vector<std::string>{"b"});
}

TEST_F(NodeRedisTest, CommitsAreFencedByTheLease) {
  LeaseTable a(client_.get(), "a", 5000);
  OnlineStore store_a(client_.get(), "a"), store_b(client_.get(), "b");
  ASSERT_EQ(a.Acquire(std::vector<uint32_t>{3}).value().size(), 1u);
  ASSERT_TRUE(store_a.Commit({.partition = 3, .offset = 7, .listeners = {{"u1", "chunk"}}, .acks = {}}).ok());
  Status refused = store_b.Commit({.partition = 3, .offset = 9, .listeners = {{"u1", "other"}}, .acks = {}});
  EXPECT_EQ(refused.code(), StatusCode::kNotFound) << refused.ToString();
  EXPECT_EQ(store_a.Checkpoint(3).value(), 7u);
  EXPECT_EQ(store_a.GetListener(3, "u1").value(), std::optional<std::string>("chunk"));
  ASSERT_TRUE(store_a.Commit({.partition = 3, .offset = 5, .listeners = {}, .acks = {}}).ok());  // an older offset never lowers it
  EXPECT_EQ(store_a.Checkpoint(3).value(), 7u);
}

// A commit stores each listener's view in its own key with the TTL given, under the same lease fence.
TEST_F(NodeRedisTest, CommitsStoreListenerViewsWithTheirTtl) {
  LeaseTable a(client_.get(), "a", 5000);
  OnlineStore store_a(client_.get(), "a"), store_b(client_.get(), "b");
  ASSERT_EQ(a.Acquire(std::vector<uint32_t>{3}).value().size(), 1u);
  ASSERT_TRUE(store_a.Commit({.partition = 3, .offset = 1, .listeners = {{"u1", "chunk"}}, .acks = {"1-1"},
                              .trim_below = 0, .views = {{"u1", "{\"score\":0.5}"}}, .view_ttl_ms = 4000})
                  .ok());
  EXPECT_EQ(store_a.GetView(3, "u1").value(), std::optional<std::string>("{\"score\":0.5}"));
  EXPECT_EQ(store_a.GetView(3, "u2").value(), std::nullopt);
  const long long ttl = client_->Command({{"PTTL", ViewKey(3, "u1")}}).value().integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 4000);
  EXPECT_FALSE(store_b.Commit({.partition = 3, .offset = 2, .listeners = {}, .acks = {}, .trim_below = 0,
                               .views = {{"u1", "{}"}}, .view_ttl_ms = 4000})
                   .ok());
  EXPECT_EQ(store_a.GetView(3, "u1").value(), std::optional<std::string>("{\"score\":0.5}"));
}

// Retention: a commit trims its partition's stream below the bound it is given, exactly, and only then.
TEST_F(NodeRedisTest, CommitsTrimTheStreamBelowTheirBound) {
  std::vector<Event> events;
  for (int i = 0; i < 20; ++i) events.push_back(Ev(EventType::kPlay, i * kSec, "t1", 0, "u1"));
  const std::vector<LoggedEvent> stored = Append(*appender_, events);
  ASSERT_EQ(stored.size(), 20u);
  const uint32_t p = stored.front().partition;
  LeaseTable a(client_.get(), "a", 5000);
  ASSERT_EQ(a.Acquire(std::vector<uint32_t>{p}).value().size(), 1u);
  OnlineStore store(client_.get(), "a");
  auto length = [&] { return client_->Command({{"XLEN", bus::EventsKey(p)}}).value().integer; };
  ASSERT_TRUE(store.Commit({.partition = p, .offset = 10, .listeners = {}, .acks = {}}).ok());
  EXPECT_EQ(length(), 20);
  ASSERT_TRUE(store.Commit({.partition = p, .offset = 10, .listeners = {}, .acks = {}, .trim_below = 8}).ok());
  EXPECT_EQ(length(), 13);  // offsets 8..20
  auto first = client_->Command({{"XRANGE", bus::EventsKey(p), "-", "+", "COUNT", "1"}});
  EXPECT_EQ(first->elements.at(0).elements.at(0).str, "8-1");
}

// Two nodes split the partitions; one stops cleanly and the other takes its share over; the stored
// sessions equal a single tracker's on the same stream.
TEST_F(NodeRedisTest, TwoNodesShareThePartitionsAndHandOver) {
  auto a = std::make_unique<Node>(redis_.url(), "a", 600);
  auto b = std::make_unique<Node>(redis_.url(), "b", 600);
  ASSERT_TRUE(a->ownership.Start().ok());
  ASSERT_TRUE(b->ownership.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return a->ownership.owned().size() == 4 && b->ownership.owned().size() == 4; }, 3s));

  std::vector<LoggedEvent> all = Append(*appender_, Stream(40, 30));
  ASSERT_TRUE(WaitFor([&] { return AllCommitted(*client_); }, 20s));
  ExpectStoredEqualsReference(*client_, all);
  // Each committed listener's view is stored beside their session.
  const LoggedEvent& first = all.front();
  OnlineStore reader(client_.get(), "reader");
  EXPECT_EQ(reader.GetView(first.partition, first.event.user_id).value(),
            std::optional<std::string>("{\"view of\":\"" + first.event.user_id + "\"}"));

  b.reset();  // clean stop: b commits, releases its leases and leaves
  ASSERT_TRUE(WaitFor([&] { return a->ownership.owned().size() == kPartitions; }, 3s));
  std::vector<LoggedEvent> more = Append(*appender_, Stream(40, 30, 30));
  all.insert(all.end(), more.begin(), more.end());
  ASSERT_TRUE(WaitFor([&] { return AllCommitted(*client_); }, 20s));
  ExpectStoredEqualsReference(*client_, all);
}

// Entries `consumer` read from the streams and has not acknowledged, all partitions together (XPENDING's
// per-consumer counts).
long long PendingEntries(bus::RedisClient& redis, const std::string& consumer) {
  long long pending = 0;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    auto reply = redis.Command({{"XPENDING", bus::EventsKey(p), kConsumerGroup}, 1});
    if (!reply.ok() || reply->is_error() || reply->elements.size() != 4) continue;
    for (const bus::RedisReply& c : reply->elements[3].elements) {
      if (c.elements.size() == 2 && c.elements[0].str == consumer) pending += std::stoll(c.elements[1].str);
    }
  }
  return pending;
}

// The value of a counter in a registry's text exposition.
uint64_t CounterValue(metrics::Registry& registry, const std::string& name) {
  const std::string text = registry.RenderText();
  const size_t at = text.find("\n" + name + " ");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + name.size() + 2));
}

// kill -9 of a node mid-stream: its partitions are owned again within the lease time (+ one round and a
// stated slack), the entries it had read but not committed are claimed, and the stored sessions equal a
// single tracker's on the same stream (every acknowledged event applied exactly once in effect).
TEST_F(NodeRedisTest, KilledNodesPartitionsAreTakenOverExactlyOnce) {
  constexpr int64_t kLeaseMs = 600;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // node b, in its own process, until it is killed
    Node b(redis_.url(), "b", kLeaseMs, 1ms);
    if (!b.ownership.Start().ok()) ::_exit(1);
    while (true) std::this_thread::sleep_for(1s);
  }
  auto a = std::make_unique<Node>(redis_.url(), "a", kLeaseMs);
  ASSERT_TRUE(a->ownership.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return a->ownership.owned().size() == kPartitions / 2; }, 5s));

  // One burst: b (slowed) is still working through it when it is killed.
  std::vector<LoggedEvent> all = Append(*appender_, Stream(40, 160));
  ASSERT_EQ(a->ownership.owned().size(), kPartitions / 2);  // b still owns the other half
  ASSERT_TRUE(WaitFor([&] { return PendingEntries(*client_, "b") > 0; }, 5s));  // b is in the middle of it
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  const auto killed = Clock::now();
  for (int round = 80; round < 120; ++round) {  // the stream goes on during the takeover
    std::vector<LoggedEvent> batch = Append(*appender_, Stream(40, 2, 2 * round));
    all.insert(all.end(), batch.begin(), batch.end());
  }
  // A takeover takes the lease time, plus up to one round (lease/3) for the survivor to notice, plus the
  // partition's load; 1 s of slack for a loaded 2-core machine.
  ASSERT_TRUE(WaitFor([&] { return a->ownership.owned().size() == kPartitions; }, 5s));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);
  EXPECT_LE(took.count(), kLeaseMs + kLeaseMs / 3 + 1000);
  ASSERT_TRUE(WaitFor([&] { return AllCommitted(*client_); }, 20s));
  ExpectStoredEqualsReference(*client_, all);
  EXPECT_GT(CounterValue(a->registry, "segue_node_events_claimed_total"), 0u);  // b was killed mid-batch
  std::printf("takeover after kill -9: %lld ms (lease %lld ms); entries claimed from the dead node: %llu\n",
              static_cast<long long>(took.count()), static_cast<long long>(kLeaseMs),
              static_cast<unsigned long long>(CounterValue(a->registry, "segue_node_events_claimed_total")));
}

// Pushes relayed by one node reach every other node, not itself; a subscriber resubscribes after Redis
// restarts.
TEST_F(NodeRedisTest, PushRelayReachesTheOtherNodesAndSurvivesARedisRestart) {
  std::mutex mu;
  std::vector<std::string> heard_by_a, heard_by_b;
  auto deliver_to = [&](std::vector<std::string>* heard) {
    return [&mu, heard](push::PushMessagePtr m) {
      std::lock_guard lock(mu);
      heard->push_back(m->user_id + " " + m->rec_id + " " + m->json);
    };
  };
  metrics::Registry ra, rb;
  RedisPushRelay a(Options(redis_.url()), "a", deliver_to(&heard_by_a), ra);
  RedisPushRelay b(Options(redis_.url()), "b", deliver_to(&heard_by_b), rb);
  a.Start();
  b.Start();
  auto subscribed = [&] { return ra.RenderText().find("\nsegue_push_relay_subscribed 1") != std::string::npos &&
                                 rb.RenderText().find("\nsegue_push_relay_subscribed 1") != std::string::npos; };
  auto heard = [&](const std::vector<std::string>& v, size_t n) {
    return WaitFor([&] { std::lock_guard lock(mu); return v.size() >= n; }, 5s);
  };
  ASSERT_TRUE(WaitFor(subscribed, 5s));
  a.Relay(std::make_shared<const push::PushMessage>(push::PushMessage{"u1", "r1", "{\"x\":\"line\\nbreak\"}"}));
  ASSERT_TRUE(heard(heard_by_b, 1));

  redis_.server().Kill();
  ASSERT_TRUE(WaitFor([&] { return !subscribed(); }, 5s));
  ASSERT_TRUE(redis_.server().Restart().ok());
  ASSERT_TRUE(WaitFor(subscribed, 5s));
  b.Relay(std::make_shared<const push::PushMessage>(push::PushMessage{"u2", "r2", "{}"}));
  ASSERT_TRUE(heard(heard_by_a, 1));
  std::this_thread::sleep_for(200ms);  // time for a wrongly echoed message to arrive
  std::lock_guard lock(mu);
  EXPECT_EQ(heard_by_b, std::vector<std::string>{"u1 r1 {\"x\":\"line\\nbreak\"}"});
  EXPECT_EQ(heard_by_a, std::vector<std::string>{"u2 r2 {}"});
  EXPECT_GE(CounterValue(ra, "segue_push_relay_reconnects_total"), 1u);
}

}  // namespace
}  // namespace segue::nodes

namespace segue::nodes {
namespace {

feedback::FeedbackOptions Feedback(const std::string& dir) {
  feedback::FeedbackOptions o;
  o.dir = dir;
  return o;
}

// An owner in this process whose applied events and drained impressions go to a real feedback collector.
struct AttributingOwner {
  explicit AttributingOwner(const std::string& url)
      : tracker(&catalog),
        collector(feedback::FeedbackCollector::Open(Feedback(dir.path()), registry).value()),
        readers(ReaderOptions{.node_id = "A", .batch_events = 500, .block_ms = 20, .wait = {}}, Options(url), &tracker,
                [this](const std::vector<LoggedEvent>& events) {
                  for (const LoggedEvent& e : events) collector->OnEventApplied(e, tracker.Apply(e));
                },
                {}, registry),
        ownership({.node_id = "A", .partitions = kPartitions, .lease_ms = 3000}, Options(url),
                  [this](const std::vector<uint32_t>& ps) { readers.Take(ps); },
                  [this](const std::vector<uint32_t>& ps) { readers.Drop(ps); }, registry) {
    readers.SetImpressionSink(collector.get());
  }

  test_support::RedisTempDir dir;
  Catalog catalog;
  SessionTracker tracker;
  metrics::Registry registry;
  std::unique_ptr<feedback::FeedbackCollector> collector;
  PartitionReaders readers;
  PartitionOwnership ownership;
};

TEST_F(NodeRedisTest, ImpressionServedByANonOwnerIsAttributedOnTheOwner) {
  AttributingOwner a(redis_.url());
  ASSERT_TRUE(a.ownership.Start().ok());
  ASSERT_EQ(a.ownership.owned().size(), kPartitions);
  metrics::Registry b_registry;  // node B owns nothing
  ImpressionRelay b(Options(redis_.url()), kPartitions, 1000, [](std::string_view) { return false; }, b_registry);
  b.Start();

  const Event play = Ev(EventType::kPlay, 10 * kSec, "t7", 0, "listener");
  impressions::Impression m;
  m.rec_id = "rec-b";
  m.user_id = "listener";
  m.ts_ms = m.event_ts_ms = play.ts_ms - 5 * kSec;
  m.track_ids = {"t3", "t7"};
  m.scores = {0.9f, 0.8f};
  b.Record(m);
  const uint32_t p = PartitionOf("listener", kPartitions);
  ASSERT_TRUE(WaitFor([&] { return client_->Command({{"XLEN", ImpressionsKey(p)}})->integer == 1; }, 5s));

  Append(*appender_, {play, Ev(EventType::kComplete, 200 * kSec, "t7", 190 * kSec, "listener")});
  ASSERT_TRUE(WaitFor([&] { return AllCommitted(*client_); }, 5s));
  a.collector->Flush();
  std::vector<feedback::Outcome> outcomes;
  ASSERT_TRUE(a.collector->store().ForEachOfListener("listener", [&](const feedback::Outcome& o) {
    outcomes.push_back(o);
    return true;
  }).ok());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].rec_id, "rec-b");
  EXPECT_EQ(outcomes[0].track_id, "t7");
  EXPECT_EQ(outcomes[0].kind, feedback::OutcomeKind::kCompleted);
  // The owner's commit trimmed what it drained.
  EXPECT_EQ(client_->Command({{"XLEN", ImpressionsKey(p)}})->integer, 0);
  a.ownership.Stop();
}

TEST(ImpressionStreamTest, MinIdAfterRemovesTheEntryAndThoseBefore) {
  EXPECT_EQ(MinIdAfter("17-4"), "17-5");
  EXPECT_EQ(MinIdAfter("-"), "0");
}

}  // namespace
}  // namespace segue::nodes
