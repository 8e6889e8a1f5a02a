#include "serving/events_handler.h"

#include <future>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "log/event_log.h"

namespace segue::serving {
namespace {

std::string EventJson(const std::string& id, const std::string& user, const std::string& type = "play") {
  return R"({"event_id":")" + id + R"(","user_id":")" + user + R"(","type":")" + type +
         R"(","ts":)" + std::to_string(NowMs()) + R"(,"track_id":"t1"})";
}

class EventsHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions o;
    o.dir = dir_.path();
    o.sync = false;
    o.partitions = 4;
    auto log = EventLog::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    ParseLimits limits;
    limits.max_events_per_batch = 3;
    handler_ = std::make_unique<EventsHandler>(log_.get(), limits, registry_);
  }

  HttpResponse Post(std::string body, std::string content_type = "application/json") {
    HttpRequest r;
    r.method = HttpMethod::kPost;
    r.target = "/v1/events";
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    std::promise<HttpResponse> p;
    handler_->Handle(std::move(r), {}, [&](HttpResponse resp) { p.set_value(std::move(resp)); });
    return p.get_future().get();
  }

  testing::TempDir dir_;
  metrics::Registry registry_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<EventsHandler> handler_;
};

TEST_F(EventsHandlerTest, AcceptsValidRejectsInvalidAndCountsDuplicates) {
  std::string body = "[" + EventJson("e1", "u1") + "," + R"({"event_id":"e2","user_id":"u1","type":"dance"})" + "," +
                     EventJson("e1", "u1") + "]";
  HttpResponse r = Post(body);
  ASSERT_EQ(r.status, 202) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["accepted"], 1);
  EXPECT_EQ(j["duplicates"], 1);
  ASSERT_EQ(j["rejected"].size(), 1u);
  EXPECT_EQ(j["rejected"][0]["index"], 1);
  EXPECT_EQ(j["rejected"][0]["field"], "type");
  EXPECT_FALSE(j["rejected"][0]["error"].get<std::string>().empty());
  // The ack came after the write: the event is in the log.
  EXPECT_EQ(log_->stats().events, 1u);

  std::string text = registry_.RenderText();
  EXPECT_NE(text.find("segue_events_accepted_total{type=\"play\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_events_duplicate_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_events_rejected_total{field=\"type\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_ingest_latency_seconds_count 1\n"), std::string::npos) << text;
}

// Read-your-writes per partition: the offsets the handler acknowledged, noted in each listener's partition
// before the 202 is handed over; a duplicate notes nothing.
TEST_F(EventsHandlerTest, NotesAcknowledgedOffsetsPerPartition) {
  AckedOffsets acked(log_->partitions());
  EventsHandler noting(log_.get(), ParseLimits{}, registry_, &acked);
  auto post = [&](std::string body) {
    HttpRequest r;
    r.method = HttpMethod::kPost;
    r.target = "/v1/events";
    r.content_type = "application/json";
    r.body = std::move(body);
    std::promise<HttpResponse> p;
    noting.Handle(std::move(r), {}, [&](HttpResponse resp) { p.set_value(std::move(resp)); });
    return p.get_future().get();
  };
  ASSERT_EQ(post("[" + EventJson("a1", "ua") + "," + EventJson("b1", "ub") + "," + EventJson("a2", "ua") + "]").status, 202);
  const uint32_t pa = PartitionOf("ua", log_->partitions()), pb = PartitionOf("ub", log_->partitions());
  ASSERT_NE(pa, pb);
  EXPECT_EQ(acked.Get(pa), 3u);
  EXPECT_EQ(acked.Get(pb), 2u);
  ASSERT_EQ(post("[" + EventJson("b1", "ub") + "]").status, 202);  // a duplicate
  EXPECT_EQ(acked.Get(pb), 2u);
  for (uint32_t p = 0; p < log_->partitions(); ++p) {
    if (p != pa && p != pb) {
      EXPECT_EQ(acked.Get(p), 0u);
    }
  }
}

TEST_F(EventsHandlerTest, NdjsonMalformedLineRejectsOnlyThatEvent) {
  HttpResponse r = Post(EventJson("n1", "u2") + "\n{not json\n" + EventJson("n2", "u2", "skip") + "\n",
                        "application/x-ndjson");
  ASSERT_EQ(r.status, 202) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["accepted"], 2);
  EXPECT_EQ(j["duplicates"], 0);
  ASSERT_EQ(j["rejected"].size(), 1u);
  EXPECT_EQ(j["rejected"][0]["index"], 1);
}

TEST_F(EventsHandlerTest, WholeBodyErrors) {
  HttpResponse bad = Post("[{\"event_id\":");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(nlohmann::json::parse(bad.body).contains("error"));
  EXPECT_EQ(Post("{}").status, 400);  // not an array
  EXPECT_EQ(Post("").status, 400);
  std::string four = "[" + EventJson("a", "u") + "," + EventJson("b", "u") + "," + EventJson("c", "u") + "," +
                     EventJson("d", "u") + "]";
  HttpResponse big = Post(four);
  EXPECT_EQ(big.status, 413) << big.body;
  HttpResponse media = Post("[]", "text/plain");
  EXPECT_EQ(media.status, 415);
  EXPECT_EQ(log_->stats().events, 0u);
  std::string text = registry_.RenderText();
  EXPECT_NE(text.find("segue_event_batches_failed_total{reason=\"malformed\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_event_batches_failed_total{reason=\"too_large\"} 1\n"), std::string::npos) << text;
}

TEST_F(EventsHandlerTest, AllRejectedAnswers202WithoutWriting) {
  HttpResponse r = Post(R"([{"event_id":"x","type":"play"}])");
  ASSERT_EQ(r.status, 202) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["accepted"], 0);
  EXPECT_EQ(j["rejected"].size(), 1u);
  EXPECT_EQ(log_->stats().events, 0u);
  EXPECT_EQ(log_->stats().group_commits, 0u) << "an empty batch still went to the log";
}

TEST_F(EventsHandlerTest, ClosedLogIs503WithRetryAfter) {
  log_->Close();
  HttpResponse r = Post("[" + EventJson("z", "u") + "]");
  EXPECT_EQ(r.status, 503) << r.body;
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
}

// A log below its free-space reserve (larger than any disk) refuses appends with NoSpace: the handler
// answers 507 with a JSON error and Retry-After, and counts the batch under reason "no_space".
TEST(EventsHandlerNoSpace, LogOutOfSpaceIs507WithRetryAfter) {
  testing::TempDir dir;
  EventLogOptions o;
  o.dir = dir.path();
  o.sync = false;
  o.min_free_bytes = uint64_t{1} << 62;
  auto log = EventLog::Open(o);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  metrics::Registry registry;
  EventsHandler handler(log->get(), ParseLimits{}, registry);
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.target = "/v1/events";
  request.content_type = "application/json";
  request.body = "[" + EventJson("s1", "u") + "]";
  std::promise<HttpResponse> p;
  handler.Handle(std::move(request), {}, [&](HttpResponse resp) { p.set_value(std::move(resp)); });
  HttpResponse r = p.get_future().get();

  EXPECT_EQ(r.status, 507) << r.body;
  const std::string error = nlohmann::json::parse(r.body)["error"];
  EXPECT_NE(error.find("out of disk space"), std::string::npos) << error;
  EXPECT_NE(error.find("min_free_bytes"), std::string::npos) << error;
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(r.headers[0].second, "5");
  EXPECT_EQ((*log)->stats().events, 0u);
  std::string text = registry.RenderText();
  EXPECT_NE(text.find("segue_event_batches_failed_total{reason=\"no_space\"} 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace segue::serving
