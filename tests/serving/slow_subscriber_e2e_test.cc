// End to end through `segue serve` as a process: a push subscriber that never reads must not stall
// anything. One listener's stream is opened from a raw socket that then stops reading, while that
// listener's skip bursts keep firing the disengagement trigger: every ingest request is still
// acknowledged within a bound, the stalled subscriber's buffer drops (segue_push_dropped_total), and
// another listener's subscriber still gets its push afterwards.
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "../log/test_util.h"
#include "../models/skip_burst_bundle.h"
#include "common/time_util.h"
#include "models/disengagement_bundle.h"
#include "recommend_fixture.h"
#include "replay/ndjson_batches.h"
#include "replay/sse_client.h"
#include "server_process.h"

namespace segue::serving {
namespace {

using Clock = std::chrono::steady_clock;

// Requests posted before giving up on seeing drops: the kernel's socket buffers alone take megabytes (the
// server's send buffer grows up to net.ipv4.tcp_wmem's 4 MiB), so the pushes are made large (kTracks,
// k = 100) and there are many.
constexpr int kMaxPosts = 500;
constexpr int kTracks = 400;
constexpr int kBurstsPerPost = 5;
constexpr int kMaxBursts = kMaxPosts * kBurstsPerPost;
constexpr int64_t kBurstMs = 820'000;                   // event time one Burst() spans
constexpr auto kAckBound = std::chrono::seconds(5);    // generous: a blocked pipeline stalls acks for good

// The value of the first /metrics line starting with `name` (name plus labels), -1 when absent.
double Metric(Client& client, const std::string& name) {
  const Reply r = client.Send(http::verb::get, "/metrics");
  for (size_t at = r.body.find(name); at != std::string::npos; at = r.body.find(name, at + 1)) {
    if (at != 0 && r.body[at - 1] != '\n') continue;
    const size_t space = r.body.find(' ', at);
    return std::stod(r.body.substr(space + 1, r.body.find('\n', space) - space - 1));
  }
  return -1;
}

// One burst of `user`: four completed plays (the score falls, the trigger re-arms), then four skipped
// plays (three skips in the last five plays: it fires). Returns the JSON array; *ts advances.
std::string Burst(const std::string& user, int burst, int64_t* ts) {
  std::string body = "[";
  for (int i = 0; i < 8; ++i) {
    const bool skip = i >= 4;
    const std::string track = "t" + std::to_string((burst * 8 + i) % kTracks);
    const std::string id = user + "-" + std::to_string(burst) + "-" + std::to_string(i);
    body += std::string(i ? "," : "") + EventJson(id + "p", user, "play", *ts, track) + ",";
    *ts += skip ? 4'000 : 199'000;
    body += EventJson(id + (skip ? "s" : "c"), user, skip ? "skip" : "complete", *ts, track);
    *ts += 1'000;
  }
  return body + "]";
}

TEST(SlowSubscriberE2eTest, AStalledStreamDropsItsPushesAndStallsNeitherIngestNorOtherSubscribers) {
  testing::TempDir dir;
  ASSERT_TRUE(SaveBundle(segue::testing::TrainSkipBurstBundle(5000, 1500, 21, 6), dir.path() + "/models/v1").ok());
  const std::string config = dir.path() + "/segue.toml";
  // No cooldown, so every re-armed burst fires; pushes of 100 tracks, so the kernel's socket buffers fill
  // after hundreds of pushes rather than thousands; a small buffer that is never let go of, so the
  // stalled subscriber keeps dropping instead of being disconnected (nor closed by the write timeout, however
  // slow the build).
  std::ofstream(config) << "models_dir = \"" << dir.path() << "/models\"\n[log]\nmin_free_bytes = 0\n"
                        << "[http]\nwrite_timeout_ms = 600000\n"
                        << "[scoring]\ncooldown_ms = 0\n[recommend]\ndefault_k = 100\n"
                        << "[push]\nbuffer_messages = 8\ndisconnect_after_drops = 0\n";
  ServerProcess server(dir.path() + "/data", config, dir.path() + "/server.log");
  ASSERT_GT(server.port(), 0) << server.first_line();
  ASSERT_TRUE(server.WaitReady());
  Client client(server.port());
  ASSERT_EQ(client.Send(http::verb::post, "/v1/tracks", FixtureTracksJson(kTracks)).status, 200);
  ASSERT_EQ(client.Send(http::verb::post, "/v1/events", FixtureOtherListenersJson(NowMs() - (kMaxBursts + 200) * kBurstMs, kTracks)).status, 202);

  // The stalled subscriber: a small receive buffer, the stream requested, and nothing ever read.
  net::io_context ioc;
  tcp::socket stalled(ioc);
  stalled.open(tcp::v4());
  stalled.set_option(net::socket_base::receive_buffer_size(4096));
  stalled.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server.port())));
  net::write(stalled, net::buffer(std::string("GET /v1/users/slow/stream HTTP/1.1\r\nHost: t\r\n\r\n")));
  Result<std::unique_ptr<SseClient>> reader = SseClient::Open("127.0.0.1", std::to_string(server.port()), "/v1/users/calm/stream");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  for (int i = 0; i < 200 && Metric(client, "segue_push_subscribers ") != 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(Metric(client, "segue_push_subscribers "), 2);

  // Shared by both listeners' bursts; early enough that every burst lies in the past.
  int64_t ts = NowMs() - (kMaxBursts + 2) * kBurstMs;
  Clock::duration slowest_ack{};
  int bursts = 0;
  for (int post = 0; post < kMaxPosts && Metric(client, "segue_push_dropped_total{reason=\"buffer_full\"}") <= 0; ++post) {
    std::string body;
    for (int b = 0; b < kBurstsPerPost; ++b, ++bursts) {
      const std::string burst = Burst("slow", bursts, &ts);
      body += body.empty() ? burst.substr(0, burst.size() - 1) : "," + burst.substr(1, burst.size() - 2);
    }
    const Clock::time_point sent = Clock::now();
    const Reply r = client.Send(http::verb::post, "/v1/events", body + "]");
    slowest_ack = std::max(slowest_ack, Clock::now() - sent);
    ASSERT_EQ(r.status, 202) << "request " << post << ": ingest did not acknowledge (0: no answer within the client's deadline)";
    ASSERT_LT(Clock::now() - sent, kAckBound) << "request " << post << " waited for its acknowledgement";
  }
  // The pipeline is not held up by the stalled stream: it consumes everything acknowledged.
  const double dispatched = Metric(client, "segue_pipeline_dispatched_events_total ");
  for (int i = 0; i < 1000 && Metric(client, "segue_pipeline_consumed_events_total ") < dispatched; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(Metric(client, "segue_pipeline_consumed_events_total "), dispatched)
      << "the pipeline did not consume the acknowledged events within 10 s";
  const double triggers = Metric(client, "segue_disengagement_triggers_total ");
  ASSERT_GT(Metric(client, "segue_push_dropped_total{reason=\"buffer_full\"}"), 0)
      << "no drop after " << bursts << " bursts (" << triggers << " triggers fired)";
  EXPECT_GT(triggers, 2) << "the stalled stream must have been offered more than its buffer holds";
  EXPECT_EQ(Metric(client, "segue_push_subscribers "), 2) << "drops alone do not disconnect (disconnect_after_drops = 0)";

  // The pipeline still moves and pushes still go out: another listener's burst fires, and its push reaches
  // their stream.
  ASSERT_EQ(client.Send(http::verb::post, "/v1/events", Burst("calm", 0, &ts)).status, 202);
  Result<SseEvent> push = (*reader)->Next(std::chrono::seconds(5));
  ASSERT_TRUE(push.ok()) << "no push for the other listener: " << push.status().ToString();
  EXPECT_EQ(FindStringField(push->data, "trigger_event_id").substr(0, 7), "calm-0-") << push->data;
  std::printf("%d bursts, %.0f triggers, %.0f dropped for the stalled stream, slowest ack %.1f ms\n", bursts,
              Metric(client, "segue_disengagement_triggers_total "),
              Metric(client, "segue_push_dropped_total{reason=\"buffer_full\"}"),
              std::chrono::duration<double, std::milli>(slowest_ack).count());
}

}  // namespace
}  // namespace segue::serving
